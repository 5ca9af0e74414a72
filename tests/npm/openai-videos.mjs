// Drives the official openai npm SDK (pinned in package.json) against a live Reelgate:
// OpenAIVideosSdkTests (tests/Reelgate.Server.Tests/Clients) starts the server and reads the
// JSON this prints. Each step records the SDK's answer and the balance after it.
import fs from 'node:fs';
import OpenAI, { toFile } from 'openai';

const { BASE_URL, API_KEY, POOR_KEY, LIMITED_KEY, FENCED_KEY, IMAGE, OUT } = process.env;
const client = new OpenAI({ apiKey: API_KEY, baseURL: BASE_URL + '/v1', maxRetries: 2 });
const steps = [];
const balance = async () => {
  const r = await fetch(BASE_URL + '/api/v1/chat/credit', { headers: { Authorization: 'Bearer ' + API_KEY } });
  return (await r.json()).data;
};
const step = async (name, data) => steps.push({ name, ...data, balance: await balance() });
const errorOf = async (fn) => {
  try { await fn(); return { error: null }; } catch (e) {
    return { error: e.constructor.name, status: e.status ?? null, param: e.param ?? null, code: e.code ?? null, type: e.type ?? null, message: e.message };
  }
};
const finish = async (id) => {
  const deadline = Date.now() + 180_000;
  let seen = [];
  for (;;) {
    const v = await client.videos.retrieve(id);
    if (!seen.includes(v.status)) seen.push(v.status);
    if (v.status === 'completed' || v.status === 'failed' || Date.now() > deadline) return { video: v, statuses: seen };
    await new Promise((r) => setTimeout(r, 300));
  }
};
const save = async (id, variant, file) => {
  const response = await client.videos.downloadContent(id, { variant });
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return { contentType: response.headers.get('content-type'), etag: response.headers.get('etag'), bytes: fs.statSync(file).size };
};

const created = await client.videos.create({ prompt: 'a paper boat on a pond', model: 'seedance-2.0-text-to-video', seconds: '4', size: '864x496' });
await step('create', { video: created });
const done = await finish(created.id);
await step('completed', done);
await step('download', {
  video: await save(created.id, 'video', OUT + '/video.mp4'),
  thumbnail: await save(created.id, 'thumbnail', OUT + '/thumb.jpg'),
  spritesheet: await save(created.id, 'spritesheet', OUT + '/sprites.jpg'),
});

// The same Idempotency-Key and body: the same video, charged once. (The SDK's idempotencyKey
// option sends nothing: its client sets no idempotency header, so the header is passed as such.)
const first = await client.videos.create({ prompt: 'a lighthouse at dusk', seconds: 4, size: '496x864' }, { headers: { 'Idempotency-Key': 'idem-openai-1' } });
const again = await client.videos.create({ prompt: 'a lighthouse at dusk', seconds: 4, size: '496x864' }, { headers: { 'Idempotency-Key': 'idem-openai-1' } });
await step('idempotent', { first: first.id, again: again.id });
await finish(first.id);

const remix = await client.videos.remix(created.id, { prompt: 'the paper boat at night' });
await step('remix', { video: remix });
await step('remix_completed', await finish(remix.id));

const image = await toFile(fs.createReadStream(IMAGE), 'first.png', { type: 'image/png' });
const fromImage = await client.videos.create({ prompt: 'a slow push in', input_reference: image, seconds: '4', size: '864x496' });
await step('image_create', { video: fromImage });
const imageDone = await finish(fromImage.id);
await step('image_completed', { ...imageDone, download: await save(fromImage.id, 'video', OUT + '/image.mp4') });

const page = await client.videos.list({ limit: 2 });
const all = [];
for await (const v of client.videos.list({ limit: 2 })) all.push(v.id);
await step('list', { first: page.data.map((v) => v.id), has_more: page.has_more, all });

const deleted = await client.videos.delete(created.id);
await step('delete', { deleted, after: await errorOf(() => client.videos.downloadContent(created.id)), retrieved: await client.videos.retrieve(created.id) });

await step('bad_size', await errorOf(() => client.videos.create({ prompt: 'x', size: '1000x1000' })));
await step('bad_seconds', await errorOf(() => client.videos.create({ prompt: 'x', seconds: '99' })));
await step('unknown_id', await errorOf(() => client.videos.retrieve('task_doesnotexist')));
await step('bad_key', await errorOf(() => new OpenAI({ apiKey: 'sk-nope', baseURL: BASE_URL + '/v1' }).videos.list()));
const poor = new OpenAI({ apiKey: POOR_KEY, baseURL: BASE_URL + '/v1' });
const started = Date.now();
await step('no_credits', { ...(await errorOf(() => poor.videos.create({ prompt: 'x', seconds: '4' }))), ms: Date.now() - started });

// A key's own limits (issue 23): over its credit limit, and from an address its allowlist omits.
const limited = new OpenAI({ apiKey: LIMITED_KEY, baseURL: BASE_URL + '/v1' });
const limitedAt = Date.now();
await step('key_limit', { ...(await errorOf(() => limited.videos.create({ prompt: 'x', seconds: '4' }))), ms: Date.now() - limitedAt });
await step('fenced', await errorOf(() => new OpenAI({ apiKey: FENCED_KEY, baseURL: BASE_URL + '/v1' }).videos.list()));

console.log(JSON.stringify({ steps }));
