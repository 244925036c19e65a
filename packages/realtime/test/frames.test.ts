// A broadcast is framed once and written as one buffer per socket; this checks that the
// fast path is really taken (it depends on ws internals, feature-checked at run time), since
// silently falling back would cost several times the CPU per delivered message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareFrame } from '../src/frames.js';

describe('prepared frames', () => {
  it('a text message is framed once: unmasked final text frame header plus payload in one buffer', () => {
    const text = JSON.stringify({ type: 'message', data: 'é'.repeat(100) });
    const prepared = prepareFrame(text);
    assert.ok(prepared.frame, 'ws exposes Sender.frame');
    assert.equal(prepared.frame.length, 1);
    const [buffer] = prepared.frame;
    assert.equal(buffer![0], 0x81, 'FIN + text opcode');
    assert.equal(buffer![1], 126, '16-bit length, no mask');
    assert.equal(buffer!.readUInt16BE(2), Buffer.byteLength(text));
    assert.equal(buffer!.subarray(4).toString('utf8'), text);
  });
});
