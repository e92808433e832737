import type { TestApp } from './test-app';

export interface InvitationBody {
  id: string;
  status: string;
  terminal: boolean;
  error: { code: string; message: string; retryable: boolean; provider: Record<string, unknown> | null } | null;
  history: { sequence: number; status: string; source: string; at: string; amended?: boolean; detail?: string }[];
  providerRef: { operationId: string; resourceUrl: string | null };
  [key: string]: unknown;
}

export interface Answer<T = InvitationBody> {
  status: number;
  headers: Headers;
  body: T;
}

async function answer<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** POST /invitations; `wait` sends Prefer: wait=N. */
export async function createInvitation(
  app: TestApp,
  body: Record<string, unknown>,
  options: { wait?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers = { ...(options.wait !== undefined ? { Prefer: `wait=${options.wait}` } : {}), ...options.headers };
  return answer(await app.request('/invitations', { method: 'POST', json: body, headers }));
}

export async function getInvitation(app: TestApp, id: string, wait?: number): Promise<Answer> {
  const headers: Record<string, string> = wait !== undefined ? { Prefer: `wait=${wait}` } : {};
  return answer(await app.request(`/invitations/${id}`, { headers }));
}

/** Waits (Prefer: wait, woken by the change) until the invitation is terminal; fails after `seconds`. */
export async function waitForTerminal(app: TestApp, id: string, seconds = 30): Promise<InvitationBody> {
  const started = Date.now();
  for (;;) {
    const left = Math.ceil(seconds - (Date.now() - started) / 1000);
    const { body } = await getInvitation(app, id, Math.max(1, Math.min(60, left)));
    if (body.terminal) return body;
    if (left <= 0) throw new Error(`Invitation ${id} not terminal after ${seconds}s: ${body.status}`);
  }
}

/** Waits until the invitation has a history entry matching `predicate` (e.g. amended). */
export async function waitForHistory(
  app: TestApp,
  id: string,
  predicate: (entry: InvitationBody['history'][number]) => boolean,
  seconds = 30,
): Promise<InvitationBody> {
  const started = Date.now();
  for (;;) {
    const { body } = await getInvitation(app, id);
    if (body.history.some(predicate)) return body;
    if (Date.now() - started > seconds * 1000) throw new Error(`Invitation ${id}: history never matched`);
    await eventsAfter(app, id, body.history.length);
  }
}

/** Resolves when the invitation's SSE stream delivers an event after `sequence` (or closes). */
export async function eventsAfter(app: TestApp, id: string, sequence: number): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch(`${app.baseUrl}/invitations/${id}/events`, {
      headers: { 'Last-Event-ID': String(sequence), Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    if (!reader) return;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || (value && new TextDecoder().decode(value).includes('\nid:'))) break;
      if (value && /^id:/m.test(new TextDecoder().decode(value))) break;
    }
    await reader.cancel().catch(() => undefined);
  } catch {
    // aborted after 5 s: the caller re-reads and decides
  } finally {
    clearTimeout(timer);
  }
}

export async function readJson<T>(
  app: TestApp,
  path: string,
  init?: RequestInit & { json?: unknown },
): Promise<Answer<T>> {
  return answer<T>(await app.request(path, init));
}
