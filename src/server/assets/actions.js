import { $ } from './dom.js';

// The token lives in this tab's memory only: not in storage, not in the URL, never in the page.
let token = '';

function status(text, kind = '') {
  const node = $('action-status');
  node.textContent = text;
  node.dataset.kind = kind;
}

/** Asks for the token (pre-filled if given earlier in this tab); resolves with it, or null on cancel. */
function askToken(action, rolloutId) {
  const dialog = $('token-dialog');
  const input = $('token-input');
  $('token-title').textContent = `${action[0].toUpperCase()}${action.slice(1)} ${rolloutId}?`;
  input.value = token;
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm' ? input.value.trim() : null), {
      once: true,
    });
  });
}

async function send(action, rolloutId, bearer) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`/api/v1/rollouts/${encodeURIComponent(rolloutId)}/${action}`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  const body = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, error: body.error };
}

/** Wires the promote/pause/resume/abort buttons to the API for the rollout `selected()` returns. */
export function wireActions(selected) {
  const form = $('token-dialog').querySelector('form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    $('token-dialog').close(e.submitter?.value ?? 'confirm');
  });
  document.querySelectorAll('[data-action]').forEach((button) => {
    button.addEventListener('click', async () => {
      const action = button.dataset.action;
      const rolloutId = selected();
      if (!rolloutId) return;
      const bearer = await askToken(action, rolloutId);
      if (bearer === null) return status('Cancelled.');
      status(`${action}: sending…`);
      const result = await send(action, rolloutId, bearer).catch((err) => ({
        ok: false,
        status: 0,
        error: { code: 'E_NETWORK', message: String(err) },
      }));
      if (result.ok) {
        token = bearer;
        return status(`${action} accepted for ${rolloutId}.`, 'ok');
      }
      if (result.status === 401) token = '';
      status(
        `${action} refused (${result.error?.code ?? result.status}): ${result.error?.message ?? 'no details'}`,
        'error',
      );
    });
  });
}
