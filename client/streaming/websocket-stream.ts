/**
 * A WebSocket seen as a byte stream: every binary message read is pushed as a chunk, every chunk written
 * goes out as one binary message. kubectl 1.31+ tunnels port-forward's SPDY session this way
 * (subprotocol `SPDY/3.1+portforward.k8s.io`: each message carries raw SPDY bytes, no channel byte), so
 * `new SpdySession(webSocketStream(ws), …)` serves it like a raw socket.
 *
 * Ending the stream starts the WebSocket close handshake; the WebSocket closing ends the readable side.
 * Text messages are not part of any tunnel protocol and are dropped.
 */
import { Duplex } from 'node:stream';
import type { WebSocketConnection } from './websocket.js';

export function webSocketStream(ws: WebSocketConnection): Duplex {
  let waitingForDrain: (() => void) | undefined;
  const stream = new Duplex({
    allowHalfOpen: false,
    read() {
      // Messages are pushed as they arrive; the WebSocket has no pause of its own to forward to.
    },
    write(chunk: Buffer, _encoding, callback) {
      if (ws.send(chunk)) return callback();
      if (!ws.isOpen) return callback();
      waitingForDrain = () => callback();
    },
    final(callback) {
      ws.close();
      callback();
    },
    destroy(error, callback) {
      if (ws.isOpen) ws.close();
      const waiting = waitingForDrain;
      waitingForDrain = undefined;
      waiting?.();
      callback(error);
    },
  });
  ws.on('message', (data, binary) => {
    if (binary) stream.push(data);
  });
  ws.on('drain', () => {
    const waiting = waitingForDrain;
    waitingForDrain = undefined;
    waiting?.();
  });
  ws.on('close', () => {
    stream.push(null);
    const waiting = waitingForDrain;
    waitingForDrain = undefined;
    waiting?.();
    // The readable end is pushed; once read it (and the writable side) close the stream.
    if (!stream.writableEnded) stream.end();
  });
  return stream;
}
