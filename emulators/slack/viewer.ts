// "What the app posted to Slack": a plain HTML page (no JS framework) at GET /.
import type { SlackEmulator } from './index';
import type { Json, StoredMessage, StoredView } from './state';

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function mrkdwn(t: Json | undefined): string {
  if (!t) return '';
  let s = esc(t.text);
  if (t.type === 'mrkdwn') {
    s = s
      .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
      .replace(/_([^_\n]+)_/g, '<i>$1</i>')
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/&#60;([^|&]+)\|([^&]+)&#62;/g, '<u>$2</u>')
      .replace(/&#60;@([A-Z0-9]+)&#62;/g, '@$1');
  }
  return s.replace(/\n/g, '<br>');
}

interface Ctx {
  teamId: string;
  userId: string;
  message?: StoredMessage;
  view?: StoredView;
  users: { id: string; name: string }[];
  channels: { id: string; name: string }[];
}

function hidden(o: Record<string, string | undefined>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`)
    .join('');
}

function clickForm(ctx: Ctx, blockId: string, el: Json, label: string, extra = ''): string {
  const target = ctx.message ? { channel: ctx.message.channel, ts: ctx.message.ts } : { viewId: ctx.view?.id };
  return `<form method="post" action="/_emu/click" class="inline">${hidden({
    teamId: ctx.teamId,
    userId: ctx.userId,
    actionId: el.action_id,
    blockId,
    as: `${ctx.teamId}|${ctx.userId}`,
    ...target,
  })}${extra}<button class="${esc(el.style ?? '')}">${label}</button></form>`;
}

function renderElement(ctx: Ctx, blockId: string, el: Json): string {
  if (!el) return '';
  switch (el.type) {
    case 'button':
      return clickForm(ctx, blockId, el, esc(el.text?.text));
    case 'static_select':
    case 'overflow':
    case 'radio_buttons': {
      const opts = (el.options ?? (el.option_groups ?? []).flatMap((g: Json) => g.options))
        .map((o: Json) => `<option value="${esc(o.value)}">${esc(o.text?.text)}</option>`)
        .join('');
      return clickForm(ctx, blockId, el, 'choose', `<select name="selectedOption">${opts}</select>`);
    }
    case 'image':
      return `<span class="muted">[image: ${esc(el.alt_text)}]</span>`;
    default:
      return `<span class="muted">[${esc(el.type)} ${esc(el.placeholder?.text ?? '')}]</span>`;
  }
}

function inputField(ctx: Ctx, b: Json): string {
  const el = b.element ?? {};
  const name = `v:${b.block_id}:${el.action_id}`;
  const cur = ctx.view?.values?.[b.block_id]?.[el.action_id] ?? {};
  switch (el.type) {
    case 'plain_text_input':
      return el.multiline
        ? `<textarea name="${esc(name)}">${esc(cur.value ?? '')}</textarea>`
        : `<input name="${esc(name)}" value="${esc(cur.value ?? '')}">`;
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return `<input name="${esc(name)}" value="${esc(cur.value ?? '')}">`;
    case 'static_select':
    case 'radio_buttons':
    case 'external_select': {
      const opts = (el.options ?? (el.option_groups ?? []).flatMap((g: Json) => g.options))
        .map(
          (o: Json) =>
            `<option value="${esc(o.value)}"${cur.selected_option?.value === o.value ? ' selected' : ''}>${esc(o.text?.text)}</option>`,
        )
        .join('');
      return `<select name="${esc(name)}"><option value=""></option>${opts}</select>`;
    }
    case 'users_select':
      return `<select name="${esc(name)}"><option value=""></option>${ctx.users.map((u) => `<option value="${esc(u.id)}"${cur.selected_user === u.id ? ' selected' : ''}>${esc(u.name)}</option>`).join('')}</select>`;
    case 'conversations_select':
    case 'channels_select':
      return `<select name="${esc(name)}"><option value=""></option>${ctx.channels.map((c) => `<option value="${esc(c.id)}">#${esc(c.name)}</option>`).join('')}</select>`;
    case 'datepicker':
      return `<input type="date" name="${esc(name)}" value="${esc(cur.selected_date ?? '')}">`;
    case 'timepicker':
      return `<input type="time" name="${esc(name)}" value="${esc(cur.selected_time ?? '')}">`;
    default:
      return `<span class="muted">[${esc(el.type)} not editable here]</span>`;
  }
}

function renderBlocks(ctx: Ctx, blocks: Json[] | undefined): string {
  return (blocks ?? [])
    .map((b) => {
      switch (b.type) {
        case 'header':
          return `<h4>${esc(b.text?.text)}</h4>`;
        case 'divider':
          return '<hr>';
        case 'section': {
          const fields = b.fields ? `<div class="fields">${b.fields.map((f: Json) => `<div>${mrkdwn(f)}</div>`).join('')}</div>` : '';
          return `<div class="section">${mrkdwn(b.text)}${fields}${b.accessory ? `<div class="acc">${renderElement(ctx, b.block_id, b.accessory)}</div>` : ''}</div>`;
        }
        case 'context':
          return `<div class="context">${(b.elements ?? []).map((e: Json) => (e.type === 'image' ? `[${esc(e.alt_text)}]` : mrkdwn(e))).join(' · ')}</div>`;
        case 'actions':
          return `<div class="actions">${(b.elements ?? []).map((e: Json) => renderElement(ctx, b.block_id, e)).join(' ')}</div>`;
        case 'input': {
          const err = ctx.view?.errors?.[b.block_id];
          return `<div class="input"><label>${esc(b.label?.text)}${b.optional ? ' <span class="muted">(optional)</span>' : ''}<br>${inputField(ctx, b)}</label>${b.hint ? `<div class="muted">${esc(b.hint.text)}</div>` : ''}${err ? `<div class="err">${esc(err)}</div>` : ''}</div>`;
        }
        case 'image':
          return `<div class="muted">[image: ${esc(b.alt_text)}]</div>`;
        default:
          return `<div class="muted">[${esc(b.type)}]</div>`;
      }
    })
    .join('');
}

function renderMessage(
  emu: SlackEmulator,
  m: StoredMessage,
  teamId: string,
  asUser: string,
  ctxBase: Omit<Ctx, 'teamId' | 'userId'>,
): string {
  const who = m.ephemeralTo ?? asUser;
  const ctx: Ctx = { ...ctxBase, teamId, userId: who, message: m };
  const author = emu.state.users.get(m.user)?.name ?? m.user;
  const tags = [
    m.ephemeralTo ? `only visible to ${esc(emu.state.users.get(m.ephemeralTo)?.name ?? m.ephemeralTo)}` : '',
    m.threadTs && m.threadTs !== m.ts ? `reply in thread ${esc(m.threadTs)}` : '',
    m.edited ? 'edited' : '',
    esc(m.via),
  ]
    .filter(Boolean)
    .join(' · ');
  return `<div class="msg${m.ephemeralTo ? ' eph' : ''}"><div class="meta"><b>${esc(author)}</b> <span class="muted">${esc(m.ts)} ${tags}</span></div>
${m.text && !m.blocks ? `<div>${mrkdwn({ type: 'mrkdwn', text: m.text })}</div>` : ''}${renderBlocks(ctx, m.blocks)}${(m.attachments ?? []).map((a) => `<div class="att">${esc(a.text ?? a.fallback ?? '')}${renderBlocks(ctx, a.blocks)}</div>`).join('')}</div>`;
}

export function renderViewer(emu: SlackEmulator, q: URLSearchParams): string {
  const s = emu.state;
  const humans = [...s.users.values()].filter((u) => !u.isBot);
  const as = q.get('as') ?? (humans[0] ? `${humans[0].teamId}|${humans[0].id}` : '');
  const [asTeam, asUser] = as.split('|');
  const note = q.get('note');
  const parts: string[] = [];
  parts.push(
    `<h1>Slack emulator <span class="muted">${esc(emu.url)} · app ${esc(emu.appId)} · app URL ${esc(emu.appRequestUrl ?? '(not set)')}</span></h1>`,
  );
  if (note) parts.push(`<p class="note">${esc(note)}</p>`);
  parts.push(
    `<form method="get" action="/" class="inline">Acting as <select name="as" onchange="this.form.submit()">${humans.map((u) => `<option value="${esc(`${u.teamId}|${u.id}`)}"${`${u.teamId}|${u.id}` === as ? ' selected' : ''}>${esc(s.teams.get(u.teamId)?.name)} — ${esc(u.name)}${u.locale === 'ja-JP' ? ' (ja)' : ''}</option>`).join('')}</select> <button>switch</button> <a href="/?as=${encodeURIComponent(as)}">refresh</a></form>`,
  );
  if (asUser) {
    const chans = [...s.channels.values()].filter((c) => c.teamId === asTeam && !c.isIm && c.members.has(asUser));
    parts.push(`<form method="post" action="/_emu/slash" class="box">${hidden({ teamId: asTeam, userId: asUser, as })}
<b>Run a command</b> in <select name="channelId"><option value="">DM with the app</option>${chans.map((c) => `<option value="${esc(c.id)}">#${esc(c.name)}</option>`).join('')}</select>
<input name="command" value="/ats" size="6"> <input name="text" placeholder="help" size="40"> <button>send</button></form>
<form method="post" action="/_emu/home" class="inline">${hidden({ teamId: asTeam, userId: asUser, as })}<button>Open App Home</button></form>`);
  }
  for (const team of s.teams.values()) {
    const users = [...s.users.values()].filter((u) => u.teamId === team.id).map((u) => ({ id: u.id, name: u.name }));
    const channels = [...s.channels.values()].filter((c) => c.teamId === team.id && !c.isIm).map((c) => ({ id: c.id, name: c.name }));
    const base = { users, channels };
    const me = team.id === asTeam ? asUser : (humans.find((u) => u.teamId === team.id)?.id ?? '');
    parts.push(`<h2>${esc(team.name)} <span class="muted">${esc(team.id)}</span></h2>`);
    for (const c of s.channels.values()) {
      if (c.teamId !== team.id) continue;
      const msgs = s.messages.filter((m) => m.channel === c.id && !m.deleted);
      const label = c.isIm ? `DM with ${s.users.get(c.imUser ?? '')?.name ?? c.imUser}` : `${c.isPrivate ? '🔒' : '#'}${c.name}`;
      if (!msgs.length && c.isIm) continue;
      parts.push(`<details open><summary>${esc(label)} <span class="muted">${esc(c.id)}${c.isArchived ? ' · archived' : ''} · ${msgs.length} messages</span></summary>
${msgs.map((m) => renderMessage(emu, m, team.id, me, base)).join('')}</details>`);
    }
    for (const u of s.users.values()) {
      if (u.teamId !== team.id || u.isBot) continue;
      const stack = s.modalStacks.get(s.key(team.id, u.id)) ?? [];
      const topId = stack[stack.length - 1];
      const top = topId ? s.views.get(topId) : undefined;
      const homeId = s.homes.get(s.key(team.id, u.id));
      const home = homeId ? s.views.get(homeId) : undefined;
      if (!top && !home) continue;
      parts.push(`<h3>${esc(u.name)} <span class="muted">${esc(u.id)}</span></h3>`);
      if (top) {
        const ctx: Ctx = { ...base, teamId: team.id, userId: u.id, view: top };
        parts.push(`<div class="modal"><div class="meta"><b>${esc(top.view.title?.text)}</b> <span class="muted">modal ${esc(top.id)} · ${esc(top.view.callback_id ?? '')} · stack ${stack.length}</span></div>
<form method="post" action="/_emu/submit">${hidden({ teamId: team.id, userId: u.id, viewId: top.id, as: `${team.id}|${u.id}` })}${renderBlocks(ctx, top.view.blocks)}
${top.view.submit ? `<button>${esc(top.view.submit.text)}</button>` : ''}</form>
<form method="post" action="/_emu/close" class="inline">${hidden({ teamId: team.id, userId: u.id, viewId: top.id, as: `${team.id}|${u.id}` })}<button>${esc(top.view.close?.text ?? 'Cancel')}</button></form></div>`);
      }
      if (home) {
        const ctx: Ctx = { ...base, teamId: team.id, userId: u.id, view: home };
        parts.push(
          `<div class="home"><div class="meta"><b>Home tab</b> <span class="muted">${esc(home.id)}</span></div>${renderBlocks(ctx, home.view.blocks)}</div>`,
        );
      }
    }
  }
  const refresh = q.get('auto') === '1' ? '<meta http-equiv="refresh" content="3">' : '';
  return `<!doctype html><html><head><meta charset="utf-8">${refresh}<title>Slack emulator</title><style>
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:70em;color:#1d1c1d}.muted{color:#777;font-size:.85em}
.msg,.modal,.home,.box{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;margin:.4em 0}.eph{background:#f6f6ff}
.modal{border-color:#4a154b}.home{border-color:#1264a3}.section{margin:.3em 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:.2em 1em}
.context{font-size:.85em;color:#555}.inline{display:inline}.actions form{margin-right:.3em}button.primary{background:#007a5a;color:#fff}
button.danger{background:#e01e5a;color:#fff}.err{color:#e01e5a}.note{background:#fff7d6;padding:.4em}.input{margin:.4em 0}
textarea{width:30em;height:4em}summary{cursor:pointer;font-weight:600}</style></head><body>${parts.join('\n')}
<p class="muted"><a href="/?auto=1&as=${encodeURIComponent(as)}">auto-refresh</a></p></body></html>`;
}
