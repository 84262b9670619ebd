import type { KnownBlock } from '@slack/types';
import type { T } from '../src/i18n';
import { MEDIA } from '../src/vocabulary';
import { context, header, section } from './blocks';

export function helpMessage(t: T): { text: string; blocks: KnownBlock[] } {
  const media = MEDIA.join(', ');
  const lines: [string, string][] = [
    ['/ats help', t('help.commands.help')],
    ['/ats link <medium>', t('help.commands.link', { media })],
    ['/ats accounts', t('help.commands.accounts')],
    ['/ats jobs', t('help.commands.jobs')],
    ['/ats job new', t('help.commands.jobNew')],
    ['/ats mapping', t('help.commands.mapping')],
    ['/ats candidate <name>', t('help.commands.candidate')],
    ['/ats roles', t('help.commands.roles')],
    ['/ats settings', t('help.commands.settings')],
    ['/ats audit', t('audit.help')],
  ];
  return {
    text: t('help.title'),
    blocks: [
      header(t('help.title')),
      section(t('help.intro')),
      section(lines.map(([cmd, what]) => `\`${cmd}\`  ${what}`).join('\n')),
      context(`${t('common.appName')}`),
    ],
  };
}
