// The console page's script: actions (confirm, call the API, report) and the periodic refresh of
// <main>. Everything else is server-rendered HTML that works without it. No dependencies, no build.

const body = document.body;
const api = body.dataset.api;
const csrfToken = body.dataset.csrf;
const refreshMs = Number(body.dataset.refreshMs || 0);
const tasksUrl = body.dataset.tasks;

const main = document.getElementById('main');
const flash = document.getElementById('flash');
const dialog = document.getElementById('confirm');
const dialogText = document.getElementById('confirm-text');
const autoRefresh = document.getElementById('auto-refresh');

/** The API call behind each action. */
const ENDPOINTS = {
  pause: (d) => ['POST', `/tasks/${encodeURIComponent(d.slug)}/pause`],
  resume: (d) => ['POST', `/tasks/${encodeURIComponent(d.slug)}/resume`],
  run: (d) => ['POST', `/tasks/${encodeURIComponent(d.slug)}/run`],
  retry: (d) => ['POST', `/tasks/${encodeURIComponent(d.slug)}/retry`],
  delete: (d) => ['DELETE', `/tasks/${encodeURIComponent(d.slug)}`],
  reschedule: (d) => ['POST', `/tasks/${encodeURIComponent(d.slug)}/reschedule`],
  'pause-kind': (d) => ['POST', `/kinds/${encodeURIComponent(d.kind)}/pause`],
  'resume-kind': (d) => ['POST', `/kinds/${encodeURIComponent(d.kind)}/resume`],
};

let busy = false;
let refreshing = null;

/** Asks the question in the page's dialog; resolves true on Confirm. */
function confirmAction(question) {
  return new Promise((resolve) => {
    dialogText.textContent = question;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

/** Says what happened, in the status line (read out by screen readers). */
function report(message, isError) {
  flash.textContent = message;
  flash.classList.toggle('error', Boolean(isError));
}

/** The API's explanation of a refusal. */
async function errorOf(response) {
  try {
    const answer = await response.json();
    const message = Array.isArray(answer.message) ? answer.message.join('; ') : answer.message;
    return `${response.status}: ${message || response.statusText}`;
  } catch {
    return `${response.status}: ${response.statusText}`;
  }
}

/** Confirms, calls the API, reports, refreshes. */
async function perform(action, data, payload) {
  const endpoint = ENDPOINTS[action];
  if (!endpoint || busy) return;
  if (!(await confirmAction(data.confirm))) return;
  busy = true;
  const [method, path] = endpoint(data);
  try {
    const response = await fetch(`${api}${path}`, {
      method,
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrfToken, ...(payload ? { 'content-type': 'application/json' } : {}) },
      body: payload ? JSON.stringify(payload) : undefined,
    });
    if (!response.ok) {
      report(await errorOf(response), true);
    } else if (action === 'delete' && document.querySelector('main .task')) {
      // The task's own page is gone with it: back to the list.
      window.location.assign(tasksUrl);
      return;
    } else {
      report(data.done || 'Done.', false);
    }
  } catch (error) {
    report(`The request failed: ${error.message}`, true);
  } finally {
    busy = false;
  }
  await refresh();
}

/** Fetches this page's <main> again and swaps it in (one fetch at a time, however slow the server). */
function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch(window.location.href, {
        credentials: 'same-origin',
        headers: { 'x-console-fragment': 'main' },
      });
      if (!response.ok && response.status !== 404) return;
      const next = document.createElement('main');
      next.innerHTML = await response.text();
      morphChildren(main, next);
    } catch {
      // Offline for a moment: the next refresh tries again.
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * Makes `from`'s children look like `to`'s, touching only what differs: a row whose state changed
 * gets its new attributes and text, the rest of the page (links, focus, scroll) stays as it is. A
 * list whose length changed is replaced whole. Form fields keep what the viewer typed.
 */
function morphChildren(from, to) {
  const before = [...from.childNodes];
  const after = [...to.childNodes];
  if (before.length !== after.length) {
    from.replaceChildren(...after);
    return;
  }
  before.forEach((node, i) => morph(node, after[i]));
}

function morph(from, to) {
  if (from.nodeType !== to.nodeType || from.nodeName !== to.nodeName) {
    from.replaceWith(to);
    return;
  }
  if (from.nodeType !== 1) {
    if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
    return;
  }
  for (const { name } of [...from.attributes]) if (!to.hasAttribute(name)) from.removeAttribute(name);
  for (const { name, value } of [...to.attributes]) {
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
  morphChildren(from, to);
}

/** A reschedule form's body: a UTC time, or a cron schedule (with its zone), or both. */
function rescheduleBody(form) {
  const fields = new FormData(form);
  const payload = {};
  const runAt = String(fields.get('runAt') || '');
  const cron = String(fields.get('cron') || '').trim();
  const timeZone = String(fields.get('timeZone') || '').trim();
  if (runAt) payload.runAt = `${runAt.length === 16 ? `${runAt}:00` : runAt}Z`;
  if (cron) payload.cron = cron;
  if (cron && timeZone) payload.timeZone = timeZone;
  return payload;
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  event.preventDefault();
  void perform(button.dataset.action, button.dataset);
});

document.addEventListener('submit', (event) => {
  const form = event.target.closest('form[data-action="reschedule"]');
  if (!form) return;
  event.preventDefault();
  const payload = rescheduleBody(form);
  const what = [payload.runAt && `next run at ${payload.runAt}`, payload.cron && `schedule "${payload.cron}"`]
    .filter(Boolean)
    .join(' and ');
  if (!what) {
    report('Give a next run time or a cron schedule.', true);
    return;
  }
  void perform(
    'reschedule',
    {
      ...form.dataset,
      confirm: `Reschedule “${form.dataset.slug}”: ${what}?`,
      done: `Rescheduled “${form.dataset.slug}”.`,
    },
    payload,
  );
});

/** Refreshes unless the viewer is busy with the page (a dialog, a form field being filled, a hidden tab). */
function refreshIfIdle() {
  if (autoRefresh && !autoRefresh.checked) return;
  if (document.hidden || dialog.open || busy || refreshing) return;
  const focused = document.activeElement;
  if (focused && main.contains(focused) && focused.matches('input, select, textarea')) return;
  void refresh();
}

if (refreshMs > 0) window.setInterval(refreshIfIdle, refreshMs);
