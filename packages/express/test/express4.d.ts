// `express4` is express@4 installed under an alias, for running the suite on Express 4.
declare module 'express4' {
  const express: unknown;
  export default express;
}
