/**
 * SPDY/3 header blocks: the name/value block format and its zlib compression.
 *
 * Uncompressed block (SPDY/3 §2.6.10): u32 pair count, then per pair u32 name length, name (lower-case),
 * u32 value length, value; several values of one name are joined by NUL bytes.
 *
 * Each direction of a session compresses all its header blocks with ONE zlib stream, primed with the
 * dictionary below and flushed with Z_SYNC_FLUSH after every block: the second block's bytes depend on
 * the first, so the codec lives as long as the session. Node's zlib streams are asynchronous, hence
 * `encode`/`decode` return promises; calls are processed strictly in order.
 */
import zlib from 'node:zlib';

/** Header names and values: lower-case names; several values of one name joined by '\0'. */
export type SpdyHeaders = Record<string, string>;

/**
 * The SPDY/3 header compression dictionary (SPDY/3 §2.6.10.1): 1423 bytes made of length-prefixed
 * (u32, big-endian) words followed by one run of unprefixed text. Its exact bytes matter: zlib checks
 * the dictionary's Adler-32 against the one the peer compressed with.
 */
export const spdyDictionary: Buffer = buildDictionary();

function buildDictionary(): Buffer {
  const words = [
    'options',
    'head',
    'post',
    'put',
    'delete',
    'trace',
    'accept',
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'connection',
    'content-base',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-md5',
    'content-range',
    'content-type',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'pragma',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'retry-after',
    'server',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'vary',
    'via',
    'warning',
    'www-authenticate',
    'method',
    'get',
    'status',
    '200 OK',
    'version',
    'HTTP/1.1',
    'url',
    'public',
    'set-cookie',
    'keep-alive',
    'origin',
  ];
  const tail = [
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505',
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized',
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable',
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT',
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,',
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.',
  ].join('');
  const parts: Buffer[] = [];
  for (const word of words) {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(word.length, 0);
    parts.push(length, Buffer.from(word, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}

/** Serialises headers into an uncompressed block. */
export function packHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const nameBytes = Buffer.from(name.toLowerCase(), 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    parts.push(u32(nameBytes.length), nameBytes, u32(valueBytes.length), valueBytes);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed block; throws on a truncated one. Names are lower-cased. */
export function unpackHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let offset = 0;
  const read = (): string => {
    if (offset + 4 > block.length) throw new RangeError('truncated header block');
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw new RangeError('truncated header block');
    const text = block.toString('utf8', offset, offset + length);
    offset += length;
    return text;
  };
  if (block.length < 4) throw new RangeError('truncated header block');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let index = 0; index < count; index++) {
    const name = read().toLowerCase();
    const value = read();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}\0${value}`;
  }
  return headers;
}

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value, 0);
  return buffer;
}

/** One direction's compressor or decompressor, kept for the session's lifetime. */
class SyncFlushed {
  readonly #stream: zlib.Deflate | zlib.Inflate;
  #failed: Error | undefined;

  constructor(stream: zlib.Deflate | zlib.Inflate) {
    this.#stream = stream;
    stream.on('error', (error) => {
      this.#failed = error;
    });
  }

  /**
   * Feeds `input` and returns everything the stream produced for it. The stream is read in paused mode:
   * zlib pushes a chunk's output before it calls the chunk's write callback, and the next chunk is
   * processed on the thread pool, so at callback time the readable buffer holds exactly this output.
   */
  run(input: Buffer): Promise<Buffer> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#stream.once('error', onError);
      this.#stream.write(input);
      this.#stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.#stream.off('error', onError);
        if (this.#failed !== undefined) return reject(this.#failed);
        const parts: Buffer[] = [];
        let chunk: Buffer | null;
        while ((chunk = this.#stream.read() as Buffer | null) !== null) parts.push(chunk);
        resolve(Buffer.concat(parts));
      });
    });
  }

  close(): void {
    this.#stream.close();
  }
}

/** Compresses outgoing header blocks (one per session). */
export class HeaderEncoder {
  readonly #zlib = new SyncFlushed(
    zlib.createDeflate({ dictionary: spdyDictionary, level: zlib.constants.Z_DEFAULT_COMPRESSION }),
  );

  encode(headers: SpdyHeaders): Promise<Buffer> {
    return this.#zlib.run(packHeaderBlock(headers));
  }

  close(): void {
    this.#zlib.close();
  }
}

/** Decompresses incoming header blocks (one per session). */
export class HeaderDecoder {
  readonly #zlib = new SyncFlushed(zlib.createInflate({ dictionary: spdyDictionary }));

  async decode(compressed: Buffer): Promise<SpdyHeaders> {
    if (compressed.length === 0) return {};
    return unpackHeaderBlock(await this.#zlib.run(compressed));
  }

  close(): void {
    this.#zlib.close();
  }
}
