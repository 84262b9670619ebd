/** The link / re-enter credentials modal. Fields are always empty: a secret is never pre-filled. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { T } from '../src/i18n';
import { LABEL_MAX, MEDIUM_FIELDS, type FieldKey, type Medium } from '../src/vocabulary';
import { context, plain } from './blocks';
import { errorText } from './reasons';

export const LINK_CALLBACK = 'acct:save';

const FIELD_LABEL: Record<FieldKey, string> = {
  api_key: 'link.apiKey',
  email: 'link.email',
  password: 'link.password',
  company_id: 'link.companyId',
  user_id: 'link.userId',
};

export function linkModal(t: T, medium: Medium, opts: { accountId?: string; label?: string } = {}): ModalView {
  const mediumName = t(`media.${medium}`);
  const blocks: KnownBlock[] = [context(medium === 'wantedly' ? t('link.wantedlyIntro') : t('link.intro', { medium: mediumName }))];
  for (const field of MEDIUM_FIELDS[medium]) {
    blocks.push({
      type: 'input',
      block_id: field,
      label: plain(t(FIELD_LABEL[field])),
      element: {
        type: field === 'email' ? 'email_text_input' : 'plain_text_input',
        action_id: 'value',
        ...(field === 'api_key' ? { placeholder: plain(t('link.apiKeyPlaceholder'), 150) } : {}),
        ...(field === 'email' ? {} : { max_length: 128 }),
      },
    } as KnownBlock);
  }
  blocks.push({
    type: 'input',
    block_id: 'label',
    optional: true,
    label: plain(t('link.label')),
    hint: plain(t('link.labelHint'), 150),
    element: { type: 'plain_text_input', action_id: 'value', max_length: LABEL_MAX, ...(opts.label ? { initial_value: opts.label } : {}) },
  });
  return {
    type: 'modal',
    callback_id: LINK_CALLBACK,
    private_metadata: JSON.stringify({ medium, ...(opts.accountId ? { accountId: opts.accountId } : {}) }),
    title: plain(opts.accountId ? t('link.reenterTitle') : t.plain('link.modalTitle', { medium: mediumName }), 24),
    submit: plain(t('link.submit'), 24),
    close: plain(t('common.cancel'), 24),
    blocks,
  };
}

/**
 * The DM to whoever linked an account once its credentials were checked: linked (or back after a
 * system error), refused by the medium, or the medium unreachable. `reason`: a reason code.
 */
export function linkResultMessage(
  t: T,
  d: { medium: Medium; label: string; outcome: 'linked' | 'recovered' | 'auth_failed' | 'system_error'; reason?: string },
): { text: string } {
  const vars = { medium: t(`media.${d.medium}`), label: d.label };
  if (d.outcome === 'linked') return { text: t('link.resultLinked', vars) };
  if (d.outcome === 'recovered') return { text: t('link.recovered', vars) };
  const reason = errorText(t, d.reason ?? 'service:internal');
  return { text: t(d.outcome === 'auth_failed' ? 'link.resultAuthFailed' : 'link.resultSystemError', { ...vars, reason }) };
}
