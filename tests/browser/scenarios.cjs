// Browser scenarios for the Helpdesk SPA, driven by playwright-core in Debian's headless Chromium.
// Run by the Rust tests in tests/e2e/browser.rs: `node scenarios.cjs <scenario>` with BASE_URL,
// ARTIFACTS (screenshot directory) and the accounts in the environment. Exit code 0 = passed.
const { chromium } = require('playwright-core');
const assert = require('node:assert/strict');
const path = require('node:path');
const zlib = require('node:zlib');

const BASE = process.env.BASE_URL;
const ARTIFACTS = process.env.ARTIFACTS;
const DOCS = process.env.DOCS_SCREENSHOTS; // where the README screenshots go, if set

function png() {
  const crc = (buf) => { let c, t = []; for (let n = 0; n < 256; n++) { c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
    let x = 0xffffffff; for (const b of buf) x = t[(x ^ b) & 0xff] ^ (x >>> 8); return (x ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(4, 0); ihdr.writeUInt32BE(4, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc(4 * (1 + 12), 0); for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) raw[y * 13 + 1 + x * 3] = 255;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function browser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

/// A page that fails the scenario on a script error and records requests to other hosts.
async function open(b, allowedHosts = []) {
  const context = await b.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.foreign = [];
  const logged = [];
  page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
  page.on('pageerror', (e) => { throw new Error(`page error: ${e.message}\nconsole: ${logged.join('\n')}`); });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') return; // made by the page itself
    const host = url.host;
    if (host !== new URL(BASE).host && !allowedHosts.some((h) => host.endsWith(h))) page.foreign.push(r.url());
  });
  return page;
}

async function signIn(page, login, password) {
  await page.goto(`${BASE}/login`);
  await page.fill('#field-login', login);
  await page.fill('#field-password', password);
  await page.click('button[type=submit]');
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/// The newest link containing `fragment` in a mail file of `dir` (quoted-printable unfolded),
/// waiting up to 20 s for the mail worker.
async function mailedLink(dir, fragment) {
  const fs = require('node:fs');
  for (let i = 0; i < 200; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const m = text.match(new RegExp(`https?://\\S*${fragment.replace(/[?]/g, '\\?')}[A-Za-z0-9_-]+`));
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with ${fragment} in ${dir}`);
}

/// The authenticator-app code (RFC 6238) of a base32 secret, `offset` 30-second steps from now.
function totp(secret, offset = 0) {
  const crypto = require('node:crypto');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = crypto.createHmac('sha1', key).update(counter).digest();
  const o = hash[19] & 0xf;
  return String((hash.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const scenarios = {
  // Forgot password: the 202 without a body reads as success, never as an unreachable server.
  async forgot_password_confirms() {
    const b = await browser();
    const page = await open(b);
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    await page.goto(`${BASE}/forgot-password`);
    await page.fill('#field-email', 'nobody@example.org');
    await page.click('button[type=submit]');
    await page.waitForSelector('p.ok[role=status]');
    assert.equal(await page.locator('p.error').count(), 0);
    // An anonymous visit asks for the session without a 401 in the console.
    assert.deepEqual(consoleErrors, [], 'no console errors on anonymous pages');
    await shot(page, 'forgot-password');
    // On a phone the navigation is a menu; a missing page is a page of the app.
    await page.setViewportSize({ width: 390, height: 800 });
    assert.ok(!(await page.isVisible('nav.top a[href="/privacy"]')), 'links folded into the menu');
    await page.click('#menu-toggle');
    await page.waitForSelector('nav.top a[href="/privacy"]', { state: 'visible' });
    await page.goto(`${BASE}/no/such/page`);
    await page.waitForSelector('#not-found');
    await shot(page, 'not-found-phone');
    await b.close();
  },

  // A file whose content is not what its name says is refused before anything is created; a
  // file the server refuses after the ticket exists leads to that one ticket, with the error and
  // a way to add the file again.
  async refused_upload_never_leaves_an_orphan_ticket() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.goto(`${BASE}/tickets/new`);
    await page.fill('#subject', 'Rechnung fehlt');
    await page.fill('#description', 'Siehe Anhang');
    await page.setInputFiles('#files', { name: 'invoice.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
    await page.waitForSelector('p.file-error');
    assert.ok(await page.isDisabled('button[type=submit]'), 'no ticket with a refused file');
    await shot(page, 'refused-before-create');
    // A real PNG, but larger than this server takes (HELPDESK_MAX_UPLOAD_BYTES is tiny here).
    const big = Buffer.concat([png(), Buffer.alloc(4096, 0)]);
    await page.setInputFiles('#files', { name: 'scan.png', mimeType: 'image/png', buffer: big });
    await page.waitForSelector('p.file-error', { state: 'detached' });
    await page.click('button[type=submit]');
    await page.waitForURL(/\/tickets\/\d+$/);
    await page.waitForSelector('#upload-problem');
    await page.waitForSelector('#more-files');
    await shot(page, 'refused-after-create');
    await page.goto(`${BASE}/tickets`);
    await page.waitForSelector('.ticket-row');
    assert.equal(await page.locator('.ticket-row').count(), 1, 'exactly one ticket');
    await b.close();
  },

  // Saving the profile says so.
  async profile_save_says_saved() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.goto(`${BASE}/profile`);
    await page.fill('#field-full_name', 'Clara Neuname');
    await page.click('form:has(#field-full_name) button[type=submit]');
    await page.waitForSelector('p.ok[role=status]');
    assert.equal(await page.inputValue('#field-full_name'), 'Clara Neuname');
    await b.close();
  },

  // A customer closes a ticket only after confirming; the closed ticket says why and offers a
  // follow-up, which links both tickets.
  async closed_ticket_offers_a_follow_up() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.click('a.ticket-link');
    await page.waitForSelector('#close-ticket.secondary');
    await page.click('#close-ticket');
    await page.waitForSelector('#confirm-close');
    await page.click('#confirm-close');
    await page.waitForSelector('#closed-note');
    assert.equal(await page.locator('#reply').count(), 0, 'a closed ticket takes no reply');
    const original = page.url();
    await page.click('#follow-up');
    await page.waitForSelector('#follow-up-of');
    assert.match(await page.inputValue('#subject'), /#\d+: Drucker/);
    await page.fill('#description', 'Der Drucker ist wieder kaputt.');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/tickets\/\d+$/);
    assert.notEqual(page.url(), original);
    await page.waitForSelector(`a[href="${new URL(original).pathname}"]`);
    await page.goto(original);
    await page.waitForSelector('#closed-note a[href^="/tickets/"]');
    await shot(page, 'closed-with-follow-up');
    await b.close();
  },

  // The queue: views with counts, search by number, name and company, bulk assignment, and the
  // keyboard.
  async queue_views_bulk_assign_and_keyboard() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.AGENT_LOGIN, process.env.AGENT_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    await page.waitForSelector('.ticket-row');
    assert.equal(await page.locator('.ticket-row').count(), 3);
    assert.equal(await page.locator('.ticket-row.unread').count(), 3, 'new customer tickets are unread');
    await page.click('a.view[data-view=unassigned]');
    await page.waitForURL(/view=unassigned/);
    await page.waitForFunction(() => document.querySelector('a.view[data-view=unassigned] .count')?.textContent === '3');
    await page.waitForSelector('.ticket-row');
    await page.check('#select-all');
    await page.waitForSelector('#bulk');
    await page.selectOption('#bulk-assign', { label: process.env.AGENT_NAME });
    await page.waitForSelector('.ticket-row', { state: 'detached' });
    await page.waitForFunction(() => document.querySelector('a.view[data-view=mine] .count')?.textContent === '3');
    await page.click('a.view[data-view=mine]');
    await page.waitForSelector('.ticket-row');
    assert.equal(await page.locator('.ticket-row').count(), 3);
    assert.equal(await page.locator('.ticket-row td.assignee').first().textContent(), `${process.env.AGENT_NAME} ✓`);
    await shot(page, 'queue-mine');
    // Search: a number, the requester's name, the company.
    const number = process.env.TICKET_NUMBER;
    for (const [q, expected] of [[`#${number}`, 1], ['clara', 2], ['Acme', 1]]) {
      await page.fill('#search', q);
      await page.press('#search', 'Enter');
      await page.waitForFunction((n) => document.querySelectorAll('.ticket-row').length === n, expected);
    }
    await page.fill('#search', '');
    await page.press('#search', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('.ticket-row').length === 3);
    // Keyboard: ? shows the shortcuts, j moves, o opens.
    await page.click('h1');
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#shortcuts', { state: 'detached' });
    await page.keyboard.press('j');
    await page.waitForSelector('.ticket-row.focused:nth-child(2)');
    const subject = await page.locator('.ticket-row.focused .subject').textContent();
    await page.keyboard.press('o');
    await page.waitForURL(/\/tickets\/\d+$/);
    await page.waitForSelector(`.ticket-head h1:has-text("${subject}")`);
    await page.keyboard.press('g');
    await page.keyboard.press('q');
    await page.waitForURL(`${BASE}/queue`);
    await page.waitForFunction(() => document.querySelectorAll('.ticket-row').length === 3);
    assert.equal(await page.locator('.ticket-row.unread').count(), 2, 'the opened ticket is read');
    await b.close();
  },

  // Reply and internal note are separate tabs; a reply carries an image shown as a thumbnail
  // that opens a preview.
  async reply_and_note_tabs_with_an_image() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.AGENT_LOGIN, process.env.AGENT_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    await page.click('.ticket-row a.ticket-link');
    await page.waitForSelector('#reply');
    assert.match(await page.textContent('#notified'), /Clara Customer/);
    await page.click('#tab-note');
    await page.waitForSelector('form.composer.note');
    await page.fill('#reply', 'Nur intern: Kunde ruft oft an');
    await page.click('#send-reply');
    await page.waitForSelector('.comment.internal .body:has-text("Nur intern")');
    assert.ok(await page.isVisible('form.composer:not(.note)'), 'back on the reply tab after a note');
    await page.fill('#reply', 'Hier ist das Foto.');
    await page.setInputFiles('#reply-files', { name: 'foto.png', mimeType: 'image/png', buffer: png() });
    await page.click('#send-reply');
    await page.waitForSelector('.comment:not(.internal) .attachments button.thumb img');
    assert.match(await page.textContent('.comment:not(.internal) .attachments li'), /foto\.png \(\d+ B\)/);
    await page.click('.comment:not(.internal) button.thumb');
    await page.waitForSelector('.lightbox img');
    await shot(page, 'reply-with-image');
    await page.click('.lightbox');
    // A PDF opens in the browser's viewer in a new tab.
    await page.setInputFiles('#more-files', { name: 'rechnung.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await page.waitForSelector('ul.attachments li:has-text("rechnung.pdf") button.pdf-preview');
    const [viewer] = await Promise.all([
      page.context().waitForEvent('page'),
      page.click('ul.attachments li:has-text("rechnung.pdf") button.pdf-preview'),
    ]);
    assert.match(viewer.url(), /^blob:/);
    await viewer.close();
    // Markdown with a preview; the author's own HTML and script links stay inert.
    await page.fill('#reply', 'Bitte **jetzt** neu starten.\n\n- Schritt eins\n<img src=x onerror="window.hacked=1"> [klick](javascript:alert(1)) ![bild](https://evil.example/x.png)');
    await page.click('#toggle-preview');
    await page.waitForSelector('.markdown.preview strong:has-text("jetzt")');
    await page.click('#send-reply');
    await page.waitForSelector('.comment .body strong:has-text("jetzt")');
    const body = page.locator('.comment .body:has(strong)');
    assert.equal(await body.locator('img').count(), 0, 'no HTML of the author');
    assert.equal(await body.locator('li').count(), 1);
    assert.equal(await body.locator('a:has-text("klick")').getAttribute('href'), '#');
    assert.equal(await body.locator('a:has-text("bild")').getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await page.evaluate(() => window.hacked), undefined);
    // Keyboard: n opens the note tab, r the reply tab.
    await page.click('h2');
    await page.keyboard.press('n');
    await page.waitForSelector('form.composer.note');
    await page.click('h2');
    await page.keyboard.press('r');
    await page.waitForSelector('form.composer:not(.note)');
    const events = await page.textContent('ol.events');
    assert.match(events, /opened the ticket/);
    // A canned reply, kept on its page, is inserted with its placeholders filled in.
    const ticketUrl = page.url();
    const number = ticketUrl.match(/(\d+)$/)[1];
    await page.goto(`${BASE}/canned-replies`);
    await page.fill('#canned-title', 'Neustart');
    await page.fill('#canned-body', 'Hallo {{customer.first_name}}, zu Ticket {{ticket.number}}: bitte neu starten. {{agent.name}}');
    await page.click('#canned-form button[type=submit]');
    await page.waitForSelector('.canned-row:has-text("Neustart")');
    await page.goto(ticketUrl);
    await page.waitForSelector('#canned-search');
    await page.fill('#canned-search', 'neust');
    await page.click('.canned-choice:has-text("Neustart")');
    assert.equal(await page.inputValue('#reply'), `Hallo Clara, zu Ticket ${number}: bitte neu starten. alex Example`);
    await shot(page, 'canned-reply-inserted');
    await b.close();
  },

  // The workspace in German: no English label left on the queue, a ticket, the customer's
  // pages and the not-found page.
  async workspace_in_german() {
    const b = await browser();
    const english = ['Sign out', 'Profile', 'Queue', 'Search', 'Subject', 'Priority', 'Reply', 'Internal note',
      'Attachments', 'History', 'Unassigned', 'Assignee', 'Last update', 'Loading', 'Mine', 'All open', 'Due',
      'Requester', 'Caller lookup', 'Add files', 'Attach files', 'Send', 'Created', 'Channel', 'opened the ticket',
      'Page not found', 'New ticket', 'My tickets', 'We are working on it', 'Sort', 'Newest', 'ago', 'Role', 'active',
      'inactive', 'Users', 'Organizations', 'Categories', 'Save', 'Delete', 'Email', 'Password', 'Title',
      'Getting started', 'Jobs', 'Deliveries', 'Calendar', 'Holidays', 'Customer', 'Create', 'Welcome', 'pending'];
    const problems = [];
    const check = async (page, where) => {
      await page.waitForTimeout(300);
      const text = await page.evaluate(() => document.body.innerText);
      const found = english.filter((w) => new RegExp(`\\b${w}\\b`).test(text));
      if (found.length) problems.push(`${where}: ${found.join(', ')}`);
    };
    const agent = await open(b);
    await agent.addInitScript(() => localStorage.setItem('locale', 'de'));
    await signIn(agent, process.env.AGENT_LOGIN, process.env.AGENT_PASSWORD);
    await agent.waitForURL(`${BASE}/queue`);
    await agent.waitForSelector('.ticket-row');
    await check(agent, 'the queue');
    await agent.click('.ticket-row a.ticket-link');
    await agent.waitForSelector('ol.events li');
    await check(agent, 'a ticket');
    await shot(agent, 'ticket-german');
    await agent.goto(`${BASE}/no-such-page`);
    await agent.waitForSelector('#not-found');
    await check(agent, 'the not-found page');
    const customer = await open(b);
    await customer.addInitScript(() => localStorage.setItem('locale', 'de'));
    await signIn(customer, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await customer.waitForURL(`${BASE}/tickets`);
    await customer.waitForSelector('.ticket-row');
    await check(customer, 'my tickets');
    await customer.click('a.ticket-link');
    await customer.waitForSelector('#reply');
    await check(customer, "the customer's ticket");
    await customer.goto(`${BASE}/tickets/new`);
    await customer.waitForSelector('#subject');
    await check(customer, 'a new ticket');
    // A problem reads German too: the app's own text for its code and for the field rule.
    await customer.fill('#subject', '   ');
    await customer.fill('#description', 'Text');
    await customer.click('button[type=submit]');
    await customer.waitForSelector('.field-error:has-text("darf nicht leer sein")');
    await customer.waitForSelector('p.error:has-text("Bitte prüfen Sie die markierten Felder.")');
    await customer.goto(`${BASE}/profile`);
    await customer.waitForSelector('#field-full_name');
    await check(customer, 'the profile');
    // Every page of the administration.
    const admin = await open(b);
    await admin.addInitScript(() => localStorage.setItem('locale', 'de'));
    await signIn(admin, process.env.ADMIN_LOGIN, process.env.ADMIN_PASSWORD);
    await admin.waitForURL(`${BASE}/queue`);
    for (const section of ['', '/users', '/organizations', '/categories', '/sla', '/mail', '/integrations', '/jobs']) {
      await admin.goto(`${BASE}/admin${section}`);
      await admin.waitForSelector('.subnav');
      await check(admin, `admin${section}`);
    }
    await admin.goto(`${BASE}/reports`);
    await check(admin, 'the reports');
    await admin.goto(`${BASE}/canned-replies`);
    await check(admin, 'the canned replies');
    assert.deepEqual(problems, [], 'English words on German pages');
    await b.close();
  },
  // A guest sends the contact form (the captcha answer injected, as the widget cannot load
  // here), then opens the private link from the mail and answers.
  async contact_form() {
    const b = await browser();
    const page = await open(b, ['hcaptcha.com']);
    await page.goto(`${BASE}/login`);
    await page.click('#contact-link');
    await page.waitForURL(`${BASE}/contact`);
    await page.fill('#field-name', 'Gina Guest');
    await page.fill('#field-email', 'gina@example.org');
    await page.fill('#field-subject', 'Eine Anfrage');
    await page.fill('#contact-message', 'Bitte rufen Sie mich an.');
    await page.check('#contact-consent');
    await page.evaluate((token) => {
      const t = document.createElement('textarea');
      t.name = 'h-captcha-response';
      t.value = token;
      t.style.display = 'none';
      document.body.appendChild(t);
    }, process.env.CAPTCHA_TOKEN);
    await page.click('#contact-form button[type=submit]');
    await page.waitForSelector('p.ok');
    await shot(page, 'contact-sent');
    const link = await mailedLink(process.env.MAIL_DIR, '/requests/');
    await page.goto(link.replace(/^https?:\/\/[^/]+/, BASE));
    await page.waitForSelector('.ticket-head h1:has-text("Eine Anfrage")');
    await page.fill('#reply', 'Danke, ich warte.');
    await page.click('#request-reply button[type=submit]');
    await page.waitForSelector('.comment .body:has-text("Danke, ich warte.")');
    await shot(page, 'private-request');
    await b.close();
  },

  // A customer downloads their data and deletes their account from "Your data"; afterwards the
  // sign-in fails.
  async erase_account() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.goto(`${BASE}/profile`);
    await page.waitForSelector('#your-data');
    await shot(page, 'your-data');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-data')]);
    assert.equal(download.suggestedFilename(), 'helpdesk-export.zip');
    const saved = path.join(ARTIFACTS, 'helpdesk-export.zip');
    await download.saveAs(saved);
    assert.equal(require('node:fs').readFileSync(saved).subarray(0, 2).toString(), 'PK', 'a ZIP archive');
    await page.fill('#field-erase_password', process.env.CUSTOMER_PASSWORD);
    await page.click('#erase-account button[type=submit]');
    await page.waitForURL(/\/login/);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForSelector('p.error');
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },

  // A customer turns on two-factor sign-in from the profile (QR code, first code, recovery
  // codes), then signs in again with a code.
  async two_factor() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.goto(`${BASE}/profile`);
    await page.click('#start-2fa');
    await page.waitForSelector('.qr svg');
    const secret = (await page.textContent('#totp-secret')).trim();
    await page.fill('#two-factor #field-code', totp(secret));
    await page.click('#two-factor button[type=submit]');
    await page.waitForSelector('#recovery-codes li');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await shot(page, 'two-factor-on');
    await page.click('#sign-out');
    await page.waitForURL(`${BASE}/login`);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForSelector('#second-step');
    await page.fill('#second-step #field-code', totp(secret, 1));
    await page.click('#second-step button[type=submit]');
    await page.waitForURL(`${BASE}/tickets`);
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },


  // An unverified customer sees the banner, asks for a new link, opens it: confirmed, and the
  // banner is gone.
  async confirm_email() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForSelector('#verify-banner');
    await page.click('#resend-verification');
    await page.waitForSelector('#verify-banner:has-text("on its way")');
    await shot(page, 'verify-banner');
    const link = await mailedLink(process.env.MAIL_DIR, '/verify-email?token=');
    await page.goto(link.replace(/^https?:\/\/[^/]+/, BASE));
    await page.waitForSelector('p.ok');
    await page.goto(`${BASE}/profile`);
    await page.waitForSelector('#field-full_name');
    assert.equal(await page.locator('#verify-banner').count(), 0, 'the banner is gone once the address is confirmed');
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },


  // register -> sign in -> ticket with a PNG -> agent: first in the queue, internal note, public
  // reply, pending -> customer: sees the reply, not the note; replies (reopens); closes.
  async ticket_lifecycle() {
    const b = await browser();
    const customer = await open(b);
    await customer.goto(`${BASE}/register`);
    await customer.fill('#field-full_name', 'Clara Customer');
    await customer.fill('#field-email', 'clara@example.com');
    await customer.fill('#field-username', 'clara');
    await customer.fill('#field-password', 'clara-secret-2026');
    await customer.click('button[type=submit]');
    await customer.waitForSelector('p.ok');
    await signIn(customer, 'clara', 'clara-secret-2026');
    await customer.waitForURL(`${BASE}/tickets`);
    await customer.click('a.button[href="/tickets/new"]');
    await customer.fill('#subject', 'Drucker im 2. Stock');
    await customer.fill('#description', 'Der Drucker zeigt Fehler E42.');
    await customer.setInputFiles('#files', { name: 'error.png', mimeType: 'image/png', buffer: png() });
    await customer.click('button[type=submit]');
    await customer.waitForURL(/\/tickets\/\d+$/);
    const ticketUrl = customer.url();
    await customer.waitForSelector('ul.attachments li:has-text("error.png")');

    const agent = await open(b);
    await signIn(agent, process.env.AGENT_LOGIN, process.env.AGENT_PASSWORD);
    await agent.waitForURL(`${BASE}/queue`);
    await agent.waitForSelector('.ticket-row');
    const first = await agent.locator('.ticket-row .subject').first().textContent();
    assert.equal(first, 'Drucker im 2. Stock', 'the new ticket is first in the queue');
    if (DOCS) await agent.screenshot({ path: path.join(DOCS, 'agent-queue.png'), fullPage: true });
    await agent.click('.ticket-row a.ticket-link');
    await agent.waitForSelector('#reply');
    await agent.click('#tab-note');
    await agent.fill('#reply', 'Geheimer Hinweis: Toner ist leer');
    await agent.click('#send-reply');
    await agent.waitForSelector('.comment.internal');
    await agent.fill('#reply', 'Wir tauschen heute den Toner.');
    await agent.click('#send-reply');
    await agent.waitForSelector('.comment:not(.internal) .body:has-text("Wir tauschen heute den Toner.")');
    await agent.selectOption('#set-status', 'pending');
    await agent.waitForSelector('.ticket-head .status-pending');
    await shot(agent, 'agent-ticket');
    if (DOCS) await agent.screenshot({ path: path.join(DOCS, 'agent-ticket.png'), fullPage: true });

    await customer.goto(ticketUrl);
    await customer.waitForSelector('.comment .body:has-text("Wir tauschen heute den Toner.")');
    const text = await customer.textContent('main');
    assert.ok(!text.includes('Geheimer Hinweis'), 'the customer never sees the internal note');
    assert.equal(await customer.locator('.comment.internal').count(), 0);
    if (DOCS) await customer.screenshot({ path: path.join(DOCS, 'customer-ticket.png'), fullPage: true });
    await customer.fill('#reply', 'Danke!');
    await customer.click('#send-reply');
    await customer.waitForSelector('.ticket-head .status-open');
    await customer.click('#close-ticket');
    await customer.click('#confirm-close');
    await customer.waitForSelector('.ticket-head .status-closed');
    await shot(customer, 'customer-ticket-closed');
    assert.deepEqual([...customer.foreign, ...agent.foreign], [], 'no request to another host');
    await b.close();
  },

  // Five wrong passwords: the sign-in form shows the captcha.
  async captcha_after_failures() {
    const b = await browser();
    const page = await open(b, ['hcaptcha.com']);
    for (let i = 0; i < 5; i++) {
      await signIn(page, 'clara', 'wrong-password');
      await page.waitForSelector('p.error');
    }
    assert.equal(await page.locator('#captcha').count(), 0, 'no captcha before the threshold');
    await signIn(page, 'clara', 'wrong-password');
    await page.waitForSelector('#captcha .h-captcha[data-sitekey="test-site-key"]', { state: 'attached' });
    await page.waitForSelector('#captcha p');
    await shot(page, 'captcha');
    await b.close();
  },

  // A 6 MB file is refused in the browser, before any upload.
  async oversized_file_refused_before_upload() {
    const b = await browser();
    const page = await open(b);
    const uploads = [];
    page.on('request', (r) => { if (r.url().includes('/attachments')) uploads.push(r.url()); });
    await signIn(page, process.env.CUSTOMER_LOGIN, process.env.CUSTOMER_PASSWORD);
    await page.waitForURL(`${BASE}/tickets`);
    await page.goto(`${BASE}/tickets/new`);
    await page.setInputFiles('#files', { name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(6 * 1024 * 1024, 32) });
    await page.waitForSelector('.file-error');
    assert.ok(await page.locator('button[type=submit]').isDisabled(), 'the form cannot be sent');
    assert.deepEqual(uploads, []);
    await shot(page, 'oversized');
    await b.close();
  },

  // An admin creates an agent and an organization with a contract and a signed DPA.
  async admin_pages() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.ADMIN_LOGIN, process.env.ADMIN_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    await page.click('nav a[href="/admin"]');
    await page.waitForSelector('#first-run');
    await page.click('.subnav a[href="/admin/users"]');
    await page.waitForSelector('#new-role');
    const users = page.locator('section:has(#new-role)');
    await users.locator('#field-full_name').fill('Alan Agent');
    await users.locator('#field-email').fill('alan@example.com');
    await users.locator('#field-username').fill('alan');
    await users.locator('form.inline-form button[type=submit]').click();
    await page.waitForSelector('td:has-text("alan@example.com")');
    await page.click('.subnav a[href="/admin/organizations"]');
    const orgs = page.locator('section:has(#tier)');
    await orgs.locator('#field-name').fill('Example GmbH');
    await orgs.locator('#field-domains').fill('example.org');
    await orgs.locator('#tier').selectOption('premium');
    await orgs.locator('#field-dpa_signed_at').fill('2026-01-15');
    await orgs.locator('button[type=submit]').click();
    await page.waitForSelector('li:has-text("Example GmbH · premium · example.org · DPA 2026-01-15")');
    await shot(page, 'admin');
    // Edit and delete (after a confirmation).
    await page.click('li.org-row:has-text("Example GmbH") button.secondary');
    assert.equal(await orgs.locator('#field-name').inputValue(), 'Example GmbH');
    await orgs.locator('#tier').selectOption('standard');
    await orgs.locator('#organization-form button[type=submit]').click();
    await page.waitForSelector('li:has-text("Example GmbH · standard · example.org")');
    await page.waitForSelector('p.notice[role=status]');
    page.once('dialog', (d) => d.accept());
    await page.click('li.org-row:has-text("Example GmbH") button.danger');
    await page.waitForSelector('li.org-row:has-text("Example GmbH")', { state: 'detached' });
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },

  // Business hours for an SLA policy, the job schedule, the reports as SVG charts with their
  // data tables, and the notification bell (a new ticket is waiting).
  async sla_calendar_reports_and_bell() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.ADMIN_LOGIN, process.env.ADMIN_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    const bell = page.locator('[data-testid=bell]');
    await page.waitForSelector('[data-testid=bell] .count');
    assert.equal((await bell.locator('.count').textContent()).trim(), '1');
    await bell.click();
    await page.waitForSelector('.bell .panel li a:has-text("New ticket")');
    await page.click('.bell .panel button:has-text("Mark all read")');
    await page.waitForSelector('[data-testid=bell] .count', { state: 'detached' });

    await page.goto(`${BASE}/admin/sla`);
    const calendars = page.locator('#calendars');
    await calendars.locator('#field-name').fill('Office Bavaria');
    await calendars.locator('#field-holiday_region').selectOption('DE-BY');
    await calendars.locator('p.muted:has-text("Fronleichnam")').waitFor();
    await calendars.locator('#field-own_holidays').fill('2026-12-24 Heiligabend');
    await calendars.locator('button[type=submit]').click();
    await calendars.locator('td:has-text("Office Bavaria")').waitFor();
    await page.locator('select[aria-label="premium urgent calendar"]').selectOption({ label: 'Office Bavaria' });
    await page.locator('tr:has(select[aria-label="premium urgent calendar"]) button').click();
    await page.waitForSelector('p.notice:has-text("Saved.")');
    await page.click('.subnav a[href="/admin/jobs"]');
    await page.locator('#jobs td:has-text("sla_monitor")').waitFor();
    await shot(page, 'admin-calendars');

    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('[data-testid=sla-report] svg rect.bar');
    await page.waitForSelector('[data-testid=volume-report] svg polyline');
    await page.click('[data-testid=volume-report] summary');
    await page.waitForSelector('[data-testid=volume-report] details[open] tbody tr');
    await shot(page, 'reports');
    await page.click('#language-switch');
    assert.equal(await page.textContent('h1'), 'Berichte');
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },

  // An admin creates an API token (the secret shows once), an integration uses it, the admin
  // revokes it.
  async api_token() {
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.ADMIN_LOGIN, process.env.ADMIN_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    await page.click('nav a[href="/admin"]');
    await page.click('.subnav a[href="/admin/integrations"]');
    const tokens = page.locator('#api-tokens');
    await tokens.locator('#field-token_name').fill('Monitoring');
    await tokens.locator('input[value="tickets:write"]').check();
    await tokens.locator('button[type=submit]').click();
    const secret = (await tokens.locator('[data-testid=token-secret]').textContent()).trim();
    assert.match(secret, /^hd_[0-9A-Za-z]{49}$/);
    await tokens.locator('td:has-text("Monitoring")').waitFor();
    await shot(page, 'api-tokens');
    const used = await fetch(`${BASE}/api/v1/tickets`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(used.status, 200);
    await tokens.locator('tr:has-text("Monitoring") button').click();
    await tokens.locator('td:has-text("Monitoring")').waitFor({ state: 'detached' });
    const revoked = await fetch(`${BASE}/api/v1/tickets`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(revoked.status, 401);
    // A webhook: the signing secret shows once; a ping appears in its delivery log.
    const hooks = page.locator('#webhooks');
    await hooks.locator('#field-webhook_url').fill('https://hooks.example.com/helpdesk');
    await hooks.locator('form button[type=submit]').click();
    const whsec = (await hooks.locator('[data-testid=webhook-secret]').textContent()).trim();
    assert.match(whsec, /^whsec_/);
    await hooks.locator('tr:has-text("hooks.example.com") button:has-text("Ping")').click();
    await hooks.locator('tr:has-text("hooks.example.com") button:has-text("Deliveries")').click();
    await hooks.locator('[data-testid=deliveries] td:has-text("webhook.ping")').waitFor();
    await shot(page, 'webhooks');
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },

  // Switching to German changes the labels.
  async mail_in_admin() {
    // A mail became a ticket (piped in by the test): the admin finds it in the received-mail log,
    // opens the ticket, sees its channel and, as staff, the original message.
    const b = await browser();
    const page = await open(b);
    await signIn(page, process.env.ADMIN_LOGIN, process.env.ADMIN_PASSWORD);
    await page.waitForURL(`${BASE}/queue`);
    await page.click('nav a[href="/admin"]');
    await page.click('.subnav a[href="/admin/mail"]');
    const inbound = page.locator('#inbound');
    await inbound.locator('td:has-text("bert@example.org")').waitFor();
    await shot(page, 'inbound-log');
    await inbound.locator(`a:has-text("#${process.env.TICKET_NUMBER}")`).click();
    await page.waitForURL(`${BASE}/tickets/${process.env.TICKET_NUMBER}`);
    await page.locator('.channel:has-text("via email")').waitFor();
    await page.locator('text=original.eml').first().waitFor();
    await shot(page, 'mail-ticket');
    assert.deepEqual(page.foreign, [], 'no request to another host');
    await b.close();
  },

  async switch_to_german() {
    const b = await browser();
    const page = await open(b);
    await page.goto(`${BASE}/login`);
    await page.waitForSelector('h1');
    assert.equal(await page.textContent('h1'), 'Sign in');
    await page.click('#language-switch');
    assert.equal(await page.textContent('h1'), 'Anmelden');
    assert.equal(await page.textContent('label[for=field-password]'), 'Passwort');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await shot(page, 'german');
    await b.close();
  },
};

const name = process.argv[2];
scenarios[name]().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
