import type { SimulatedAnswer } from './simulated-answer';
import type { TargetScenario } from './scenarios';

/** A failed participantInvitation's reason, as UCWA and SaaS send it (SD ErrorCode_ref, ErrorSubcode_ref). */
export interface SimulatedReason {
  code: string;
  subcode: string;
  message: string;
}

/** The reason each failing scenario ends with; `cancel` follows our POST {cancel}. */
export const SIMULATED_REASONS: Partial<Record<TargetScenario | 'cancel', SimulatedReason>> = {
  decline: { code: 'RemoteFailure', subcode: 'Declined', message: 'Your invitation was declined.' },
  busy: { code: 'RemoteFailure', subcode: 'Busy', message: 'The person is busy.' },
  noanswer: { code: 'Timeout', subcode: 'Timeout', message: 'Nobody answered.' },
  fail: { code: 'LocalFailure', subcode: 'MediaFailure', message: 'Media negotiation failed.' },
  cancel: { code: 'LocalFailure', subcode: 'Canceled', message: 'The invitation was canceled.' },
};

/**
 * Synchronous error bodies as UCWA and the Trusted Application API send them, in JSON or
 * in XML (SD `Skype/UCWA/ErrorsAndInformationalMessages.md`, "Error response body" and
 * "Error sample - XML": a `<reason>` element in the UCWA namespace whose properties are
 * child elements; `code` is the only required one).
 */
export type ReasonFormat = 'json' | 'xml';

export interface ErrorReason {
  code: string;
  subcode?: string;
  message?: string;
}

/** A conversation id ending in `.xml` (`already.xml`) makes its error answers XML (contract.md §7). */
const XML_SUFFIX = '.xml';

export function reasonFormatOf(conversationId: string | null | undefined): ReasonFormat {
  return (conversationId ?? '').trim().toLowerCase().endsWith(XML_SUFFIX) ? 'xml' : 'json';
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function reasonXml(reason: ErrorReason): string {
  const element = (name: string, value: string | undefined) =>
    value === undefined ? '' : ` <${name}>${escapeXml(value)}</${name}>\n`;
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<reason xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">\n' +
    element('code', reason.code) +
    element('subcode', reason.subcode) +
    element('message', reason.message) +
    ' <debugInfo />\n <parameters />\n</reason>\n'
  );
}

/** A synchronous error answer in the given format. */
export function reasonAnswer(
  status: number,
  reason: ErrorReason,
  format: ReasonFormat = 'json',
  headers: Record<string, string> = {},
): SimulatedAnswer {
  if (format === 'json') return { status, headers, body: reason };
  return { status, headers: { ...headers, 'Content-Type': 'application/xml; charset=utf-8' }, body: reasonXml(reason) };
}

/** The same answer with its error body (if it is one) in `format`; other answers pass unchanged. */
export function inReasonFormat(answer: SimulatedAnswer, format: ReasonFormat): SimulatedAnswer {
  const body = answer.body as Partial<ErrorReason> | undefined;
  if (format === 'json' || answer.status < 400 || typeof body?.code !== 'string') return answer;
  return reasonAnswer(answer.status, body as ErrorReason, 'xml', answer.headers);
}
