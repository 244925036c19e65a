// Module resolution hook (see redis-major.mjs): 'redis' and 'redis/…' become 'redis6'.
export async function resolve(specifier, context, next) {
  if (specifier === 'redis' || specifier.startsWith('redis/')) return next(`redis6${specifier.slice(5)}`, context);
  return next(specifier, context);
}
