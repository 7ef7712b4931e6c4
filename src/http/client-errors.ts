import type { Socket } from 'node:net';

/**
 * A request Node's HTTP parser cannot read (headers over 16 KiB, a malformed request line)
 * never reaches an API, so it has no envelope: answered as Node itself would, with a bare
 * status line, instead of Fastify's JSON body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}
