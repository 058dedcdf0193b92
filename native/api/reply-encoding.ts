/**
 * Making sure every reply and event can be sent (issue 11.3). A value the engine returns can be
 * impossible to encode: a crafted session file with a field nested 100,000 deep overflows the
 * stack in `JSON.stringify` (WebSocket) or in Electron's structured clone (IPC), and a thrown
 * encoder in a socket callback ends the process. Both front ends run their replies through here,
 * so such a reply becomes an error reply with a sentence, and the process keeps running.
 */
import type { ApiError, ApiEvent, ApiResponse, WireMessage } from './contract.js';

/**
 * Deepest nesting a reply may have. SteerLab's own replies are under 10 levels deep; anything past
 * this came from a damaged or crafted file, and refusing it early keeps both encoders far from
 * their stack limits.
 */
export const MAX_REPLY_DEPTH = 64;

/**
 * True when `value` nests objects or arrays more than `limit` levels deep. Walks with its own
 * stack (a recursive walk would overflow on exactly the values it is looking for) and visits each
 * object once, so cycles end the walk instead of looping.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const seen = new WeakSet<object>();
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    if (depth >= limit) return true;
    seen.add(node);
    // Typed arrays hold numbers only. Arrays are walked by index: replies carry arrays of
    // thousands of numbers, and Object.values would copy each of them just to skip it.
    if (ArrayBuffer.isView(node)) continue;
    const children: ArrayLike<unknown> = Array.isArray(node) ? node : Object.values(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/** Why `value` cannot be sent, as the end of a sentence, or null when it can. */
function encodingProblem(value: unknown): string | null {
  return nestedDeeperThan(value, MAX_REPLY_DEPTH) ? `it is nested more than ${MAX_REPLY_DEPTH} levels deep` : null;
}

function unsendableError(what: string, reason: string): ApiError {
  return {
    code: 'failed',
    message: `SteerLab could not send the answer to ${what}: ${reason}, which no SteerLab data is; the open session file may be damaged or crafted.`,
  };
}

function unsendable(what: string, reason: string): ApiResponse {
  return { ok: false, error: unsendableError(what, reason) };
}

/**
 * The reply to send for `response` to a request on `channel`: the response itself, or an error
 * reply when it cannot be encoded. Used by Electron's IPC, whose encoder (structured clone) runs
 * after the handler returns, where a failure could not be turned into a reply any more.
 */
export function sendableResponse(response: ApiResponse, channel: unknown): ApiResponse {
  const problem = encodingProblem(response);
  return problem === null ? response : unsendable(describeChannel(channel), problem);
}

/** The WebSocket text for a wire message; never throws (an unencodable reply becomes an error reply). */
export function encodeWireResponse(message: Extract<WireMessage, { kind: 'response' }>, channel: unknown): string {
  const checked: WireMessage = { ...message, response: sendableResponse(message.response, channel) };
  try {
    return JSON.stringify(checked);
  } catch (error) {
    // Not depth: something JSON has no form for (a BigInt, a cycle); still a reply, never a throw.
    const reason = `it holds a value JSON cannot represent (${error instanceof Error ? error.message.slice(0, 80) : 'unknown'})`;
    return JSON.stringify({ ...message, response: unsendable(describeChannel(channel), reason) });
  }
}

/**
 * The event to send in place of `event`: itself, a `job.error` when a finished job's result cannot
 * be encoded (so the page does not wait for it forever), or null to drop it (progress and session
 * notices are superseded by the next one or by the page's next request).
 */
export function sendableEvent(event: ApiEvent): ApiEvent | null {
  const problem = encodingProblem(event);
  if (problem === null) return event;
  if (event.type === 'job.done') {
    return { type: 'job.error', jobId: event.jobId, kind: event.kind, error: unsendableError(`${event.kind} job ${event.jobId}`, problem) };
  }
  return null;
}

/** The WebSocket text for an event, or null when it must be dropped; never throws. */
export function encodeWireEvent(event: ApiEvent): string | null {
  const checked = sendableEvent(event);
  if (checked === null) return null;
  try {
    return JSON.stringify({ kind: 'event', event: checked } satisfies WireMessage);
  } catch {
    return null;
  }
}

function describeChannel(channel: unknown): string {
  return typeof channel === 'string' && /^[a-zA-Z.]{1,64}$/.test(channel) ? channel : 'a request';
}
