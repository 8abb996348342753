import diagnosticsChannel from 'node:diagnostics_channel';
import { redactString } from '../errors/index.js';

/**
 * `tickwire:ws:open`, payload {@link WsOpenDiagnostic}.
 *
 * @example
 * wsOpenChannel.subscribe((m) => console.log('open', (m as WsOpenDiagnostic).url));
 */
export const wsOpenChannel = diagnosticsChannel.channel('tickwire:ws:open');
/**
 * `tickwire:ws:close`, payload {@link WsCloseDiagnostic}.
 *
 * @example
 * wsCloseChannel.subscribe((m) => console.log('close', (m as WsCloseDiagnostic).code));
 */
export const wsCloseChannel = diagnosticsChannel.channel('tickwire:ws:close');
/**
 * `tickwire:ws:reconnect`, payload {@link WsReconnectDiagnostic}.
 *
 * @example
 * wsReconnectChannel.subscribe((m) => console.log('retry in', (m as WsReconnectDiagnostic).delayMs));
 */
export const wsReconnectChannel = diagnosticsChannel.channel('tickwire:ws:reconnect');

/**
 * Published on `tickwire:ws:open`. The URL is redacted (credentials, secret query values).
 *
 * @example
 * diagnosticsChannel.subscribe('tickwire:ws:open', (m) => log((m as WsOpenDiagnostic).url));
 */
export interface WsOpenDiagnostic {
  readonly url: string;
  readonly name: string;
}
/**
 * Published on `tickwire:ws:close`; the reason is redacted too.
 *
 * @example
 * const m: WsCloseDiagnostic = { url: 'wss://x', name: 'x', code: 1006, reason: '' };
 */
export interface WsCloseDiagnostic {
  readonly url: string;
  readonly name: string;
  readonly code: number;
  readonly reason: string;
}
/**
 * Published on `tickwire:ws:reconnect`.
 *
 * @example
 * const m: WsReconnectDiagnostic = { url: 'wss://x', name: 'x', attempt: 2, delayMs: 400 };
 */
export interface WsReconnectDiagnostic {
  readonly url: string;
  readonly name: string;
  readonly attempt: number;
  readonly delayMs: number;
}

/** Publishes only when someone listens, and redacts the URL and reason first. */
export function publishOpen(m: WsOpenDiagnostic): void {
  if (wsOpenChannel.hasSubscribers) wsOpenChannel.publish({ ...m, url: redactString(m.url) });
}
/** See {@link publishOpen}. */
export function publishClose(m: WsCloseDiagnostic): void {
  if (wsCloseChannel.hasSubscribers) {
    wsCloseChannel.publish({ ...m, url: redactString(m.url), reason: redactString(m.reason) });
  }
}
/** See {@link publishOpen}. */
export function publishReconnect(m: WsReconnectDiagnostic): void {
  if (wsReconnectChannel.hasSubscribers) {
    wsReconnectChannel.publish({ ...m, url: redactString(m.url) });
  }
}
