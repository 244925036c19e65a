// SF-30: with encryption on, no value the store keeps in Redis holds session data in plain
// text (every key under its prefix, read raw), while the user index still works.
import { it } from 'node:test';
import { checkEncryptedAtRest } from '@coatcheck/testkit/encrypted-at-rest';
import { redisStore } from '@coatcheck/redis';
import { connectClient, uniquePrefix } from './fixtures/clients.js';

const prefix = uniquePrefix('at-rest');
const client = await connectClient(undefined, { cleanupPrefix: prefix });

it('SF-30 no Redis value under the prefix holds session data in plain text', async () => {
  const store = redisStore({ client, prefix, checkConfig: false });
  await checkEncryptedAtRest({
    store,
    dump: async () => {
      const parts: string[] = [];
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
        for (const key of [keys].flat()) {
          const type = await client.type(key);
          if (type === 'string') parts.push(key, String(await client.get(key)));
          else if (type === 'zset') parts.push(key, ...(await client.zRange(key, 0, -1)));
          else if (type === 'list') parts.push(key, ...(await client.lRange(key, 0, -1)));
          else if (type === 'hash') parts.push(key, JSON.stringify(await client.hGetAll(key)));
          else if (type === 'set') parts.push(key, ...(await client.sMembers(key)));
          else throw new Error(`unexpected ${type} at ${key}`);
        }
      }
      return parts.join('\n');
    },
  });
  await store.close();
});
