/** The `/ats roles` modal. */
import type { ModalView, KnownBlock } from '@slack/types';
import type { T } from '../src/i18n';
import { plain, section } from './blocks';

export const ROLES_CALLBACK = 'role:save';

export function rolesModal(t: T, data: { admins: string[]; jobs: { id: string; name: string }[] }): ModalView {
  const blocks: KnownBlock[] = [
    section(t('roles.currentAdmins', { users: data.admins.map((u) => `<@${u}>`).join(', ') || t('common.none') })),
    {
      type: 'input',
      block_id: 'user',
      label: plain(t('roles.userLabel')),
      element: { type: 'users_select', action_id: 'value' },
    },
    {
      type: 'input',
      block_id: 'org_role',
      label: plain(t('roles.orgRoleLabel')),
      hint: plain(t('roles.orgRoleHint'), 150),
      element: {
        type: 'static_select',
        action_id: 'value',
        // "no change" first and chosen: giving a job role must not reset the person's org role
        initial_option: { text: plain(t('roles.keep')), value: 'keep' },
        options: [
          { text: plain(t('roles.keep')), value: 'keep' },
          ...(['org_admin', 'standard', 'limited'] as const).map((r) => ({ text: plain(t(`roles.${r}`)), value: r })),
        ],
      },
    },
  ];
  if (data.jobs.length > 0) {
    blocks.push(
      {
        type: 'input',
        block_id: 'job',
        optional: true,
        label: plain(t('roles.jobLabel')),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: data.jobs.slice(0, 100).map((j) => ({ text: plain(j.name), value: j.id })),
        },
      },
      {
        type: 'input',
        block_id: 'job_role',
        optional: true,
        label: plain(t('roles.jobRoleLabel')),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: [
            { text: plain(t('roles.job_admin')), value: 'admin' },
            { text: plain(t('roles.job_member')), value: 'member' },
            { text: plain(t('roles.jobRoleNone')), value: 'none' },
          ],
        },
      },
    );
  }
  return {
    type: 'modal',
    callback_id: ROLES_CALLBACK,
    title: plain(t('roles.modalTitle'), 24),
    submit: plain(t('common.save'), 24),
    close: plain(t('common.cancel'), 24),
    blocks,
  };
}
