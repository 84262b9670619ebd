/**
 * Errors the domain raises on purpose. Each names a catalogue key, so a handler can tell the user
 * in their language what happened; anything else is an internal error shown with a reference id.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    public readonly messageKey: string,
    public readonly vars: Record<string, unknown> = {},
  ) {
    super(messageKey);
  }
}

/** A refused action: already audit-logged when thrown. */
export class RefusedError extends DomainError {
  override name = 'RefusedError';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
}

/** Bad input; `fields` maps a modal block id to a catalogue key to show under that field. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(public readonly fields: Record<string, { key: string; vars?: Record<string, unknown> }>) {
    super('common.invalidInput');
  }
}
