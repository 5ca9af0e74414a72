-- Rows for schema-v5.db (see README.md): what a Reelgate server at schema version 5 (before
-- migration 0006_engine_attempts) holds after some use. Every balance is the sum of its ledger,
-- every task has its charge, only failed tasks have refunds.
-- Times are Unix ms around 1750000000000 (2025-06-15).

-- Accounts: one in use, one that signed up on the web app, one closed (disabled, emptied).
INSERT INTO accounts (id, name, credits, disabled, created_at, updated_at, webhook_secret) VALUES
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', 'Studio Nine', 1100, 0, 1749990000000, 1750000300000, 'whsec_3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e'),
  ('acc_0197741f6a4071c2b1d4a3e5f607182a', 'hobbyist@example.com', 200, 0, 1749991000000, 1750000600000, NULL),
  ('acc_0197741f6a4071c2b1d4a3e5f607182b', 'Closed Ltd', 0, 1, 1749992000000, 1749995000000, NULL);

-- API keys (SHA-256 of the key; lookup = display prefix). The keys themselves, for the test:
--   sk-Studio01abcdefghijklmnopqrstuvwxyz012345  (live)
--   sk-Studio02ABCDEFGHIJKLMNOPQRSTUVWXYZ678901  (revoked)
--   sk-Hobby001bcdefghijklmnopqrstuvwxyz0123456
--   sk-Closed01cdefghijklmnopqrstuvwxyz01234567
INSERT INTO api_keys (id, account_id, name, tier, prefix, lookup, hash, revoked, created_at, revoked_at) VALUES
  ('key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'render farm', 'pro', 'sk-Studio01', 'sk-Studio01', X'262C2C7BBA4C58642E7E25F5F2D17C72AC2E60C6C273BAA5CBC21C0F7C1A11AD', 0, 1749990100000, NULL),
  ('key_0197741f7b1a7c3e9d2f4b6a8c0e1f22', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'old laptop', 'basic', 'sk-Studio02', 'sk-Studio02', X'7F19C4F07AC586A783603FF3DD2AD7E099D6F7E94A22CA54C39922A7D3936B7C', 1, 1749990200000, 1749999000000),
  ('key_0197741f7b1a7c3e9d2f4b6a8c0e1f23', 'acc_0197741f6a4071c2b1d4a3e5f607182a', 'Playground', 'free', 'sk-Hobby001', 'sk-Hobby001', X'30B7C0E3DE8ADF869C47EA98C4F258A50C6F0ADD00FE85F837EBF62DB473ADF0', 0, 1749991100000, NULL),
  ('key_0197741f7b1a7c3e9d2f4b6a8c0e1f24', 'acc_0197741f6a4071c2b1d4a3e5f607182b', 'ci', 'standard', 'sk-Closed01', 'sk-Closed01', X'C7FAF0CE49EC74A15AB39706AA61BFCD3FB5F29FFBC037577F618B966F256B75', 0, 1749992100000, NULL);

-- Tasks, one per state, in creation order:
--   ...0000 success, with result, poster, callback delivered   ...0001 fail (generation_failed), refunded, callback retrying
--   ...0002 fail (cancelled), refunded                          ...0003 waiting, queued
--   ...0004 waiting, generating (leased)                        ...0005 success without a poster (another account)
INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, callback_url, request_id, request_hash, result_key, fail_code, fail_msg,
                   create_time, start_time, complete_time, update_time, progress, attempts, lease_token, lease_expires, worker_id, thumbnail_key, base_url) VALUES
  ('task_1977420dfe8000003c1f5a9e27b4d680', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'seedance-2.0-text-to-video', 'success',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"A paper boat drifting down a rain gutter at dusk","resolution":"720p","duration":5},"callBackUrl":"https://hooks.example.com/reelgate"}',
   '{"prompt":"A paper boat drifting down a rain gutter at dusk","ratio":"16:9","resolution":"720p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   200, 1234567, 'https://hooks.example.com/reelgate', 'order-7781', '54B31956BCAD8A929972DBE7B4F36F7F03BC5DE17775293AF399FD5F1CD62430', 'task_1977420dfe8000003c1f5a9e27b4d680/video.mp4', NULL, NULL,
   1750000001000, 1750000001400, 1750000019000, 1750000019000, 100, 1, NULL, NULL, 'node-a:4121:0', 'task_1977420dfe8000003c1f5a9e27b4d680/thumb.jpg', 'https://api.example.com'),
  ('task_1977420e3d0000019e0b7d2c4f6a8e13', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'seedance-2.0-text-to-video', 'fail',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"Timelapse of a glacier calving into a fjord","resolution":"720p","duration":5},"callBackUrl":"https://hooks.example.com/reelgate"}',
   '{"prompt":"Timelapse of a glacier calving into a fjord","ratio":"16:9","resolution":"720p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   200, 99887766, 'https://hooks.example.com/reelgate', NULL, NULL, NULL, 'generation_failed', 'the engine failed to render the video; the cost was refunded',
   1750000002000, 1750000002300, 1750000009000, 1750000009000, 35, 1, NULL, NULL, 'node-a:4121:1', NULL, 'https://api.example.com'),
  ('task_1977420e7b800002d41c6e8a0b2f4d57', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'seedance-2.0-text-to-video', 'fail',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"Neon koi fish circling in a night market pond","resolution":"480p","duration":5}}',
   '{"prompt":"Neon koi fish circling in a night market pond","ratio":"16:9","resolution":"480p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   100, 424242, NULL, NULL, NULL, NULL, 'cancelled', 'cancelled by the client; the cost was refunded',
   1750000003000, NULL, 1750000003500, 1750000003500, 0, 0, NULL, NULL, NULL, NULL, 'https://api.example.com'),
  ('task_1977420eba0000035a7c9e1b3d5f7092', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'seedance-2.0-text-to-video', 'waiting',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"A lighthouse keeper climbing spiral stairs by lantern light","resolution":"480p","duration":5}}',
   '{"prompt":"A lighthouse keeper climbing spiral stairs by lantern light","ratio":"16:9","resolution":"480p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   100, 31337, NULL, NULL, NULL, NULL, NULL, NULL,
   1750000004000, NULL, NULL, 1750000004000, 0, 0, NULL, NULL, NULL, NULL, 'https://api.example.com'),
  ('task_1977420ef8800004b6d8f0a2c4e6a1c3', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f21', 'seedance-2.0-text-to-video', 'waiting',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"Origami cranes taking flight from a library desk","resolution":"480p","duration":5}}',
   '{"prompt":"Origami cranes taking flight from a library desk","ratio":"16:9","resolution":"480p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   100, 8675309, NULL, NULL, NULL, NULL, NULL, NULL,
   1750000005000, 1750000005200, NULL, 1750000020000, 40, 1, '6f1e2d3c4b5a69788796a5b4c3d2e1f0', 1750000050000, 'node-a:4121:2', NULL, 'https://api.example.com'),
  ('task_1977420f37000005e2a4c6e8f0b2d4f6', 'acc_0197741f6a4071c2b1d4a3e5f607182a', 'key_0197741f7b1a7c3e9d2f4b6a8c0e1f23', 'seedance-2.0-text-to-video', 'success',
   '{"model":"seedance-2.0-text-to-video","input":{"prompt":"A red fox trotting across fresh snow at sunrise","resolution":"480p","duration":5}}',
   '{"prompt":"A red fox trotting across fresh snow at sunrise","ratio":"16:9","resolution":"480p","duration":5,"generate_audio":false,"nsfw_checker":false,"seed":-1}',
   100, 2718281, NULL, NULL, NULL, 'task_1977420f37000005e2a4c6e8f0b2d4f6/video.mp4', NULL, NULL,
   1750000006000, 1750000006100, 1750000016000, 1750000016000, 100, 1, NULL, NULL, 'node-a:4121:0', NULL, NULL);

-- The ledger, in the order the server would have written it.
INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', 1000, 'grant', 'initial credits', NULL, 1749990000000),
  ('acc_0197741f6a4071c2b1d4a3e5f607182a', 300, 'grant', 'initial credits', NULL, 1749991000000),
  ('acc_0197741f6a4071c2b1d4a3e5f607182b', 50, 'grant', 'initial credits', NULL, 1749992000000),
  ('acc_0197741f6a4071c2b1d4a3e5f607182b', -50, 'adjust', 'account closed', NULL, 1749995000000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', -200, 'charge', 'task task_1977420dfe8000003c1f5a9e27b4d680', 'task_1977420dfe8000003c1f5a9e27b4d680', 1750000001000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', -200, 'charge', 'task task_1977420e3d0000019e0b7d2c4f6a8e13', 'task_1977420e3d0000019e0b7d2c4f6a8e13', 1750000002000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', -100, 'charge', 'task task_1977420e7b800002d41c6e8a0b2f4d57', 'task_1977420e7b800002d41c6e8a0b2f4d57', 1750000003000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', 100, 'refund', 'refund of task task_1977420e7b800002d41c6e8a0b2f4d57', 'task_1977420e7b800002d41c6e8a0b2f4d57', 1750000003500),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', -100, 'charge', 'task task_1977420eba0000035a7c9e1b3d5f7092', 'task_1977420eba0000035a7c9e1b3d5f7092', 1750000004000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', -100, 'charge', 'task task_1977420ef8800004b6d8f0a2c4e6a1c3', 'task_1977420ef8800004b6d8f0a2c4e6a1c3', 1750000005000),
  ('acc_0197741f6a4071c2b1d4a3e5f607182a', -100, 'charge', 'task task_1977420f37000005e2a4c6e8f0b2d4f6', 'task_1977420f37000005e2a4c6e8f0b2d4f6', 1750000006000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', 200, 'refund', 'refund of task task_1977420e3d0000019e0b7d2c4f6a8e13', 'task_1977420e3d0000019e0b7d2c4f6a8e13', 1750000009000),
  ('acc_0197741f6a4071c2b1d4a3e5f6071829', 500, 'adjust', 'top-up, invoice 2025-0612', NULL, 1750000300000);

-- Callbacks: the success delivered at the first try; the failure still retrying after two.
INSERT INTO callback_deliveries (id, task_id, account_id, url, state, attempts, next_attempt_at, created_at, updated_at) VALUES
  (1, 'task_1977420e3d0000019e0b7d2c4f6a8e13', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'https://hooks.example.com/reelgate', 'pending', 2, 1750000069000, 1750000009000, 1750000039000),
  (2, 'task_1977420dfe8000003c1f5a9e27b4d680', 'acc_0197741f6a4071c2b1d4a3e5f6071829', 'https://hooks.example.com/reelgate', 'delivered', 1, 1750000019100, 1750000019000, 1750000019100);
INSERT INTO callback_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES
  (1, 1750000009050, 503, 'HTTP 503', 120),
  (1, 1750000039000, NULL, 'timed out after 10 s', 10000),
  (2, 1750000019050, 200, NULL, 48);

-- The web app: the hobbyist's login (linked to the account) and an operator with the admin role.
INSERT INTO AspNetRoles (Id, Name, NormalizedName, ConcurrencyStamp) VALUES
  ('b1f0c6de-0a55-4c1e-9c57-3a0f3e0c2a11', 'admin', 'ADMIN', 'e3b0c442-98fc-4c14-9afb-f4c8996fb924');
INSERT INTO AspNetUsers (Id, AccountId, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PasswordHash, SecurityStamp, ConcurrencyStamp,
                         PhoneNumber, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnd, LockoutEnabled, AccessFailedCount) VALUES
  ('5d0c3f1e-7a2b-4c8d-9e6f-0a1b2c3d4e5f', 'acc_0197741f6a4071c2b1d4a3e5f607182a', 'hobbyist@example.com', 'HOBBYIST@EXAMPLE.COM', 'hobbyist@example.com', 'HOBBYIST@EXAMPLE.COM', 1,
   'AQAAAAIAAYagAAAAEJ9x2n0aVqk3b5Yc8Qm1fL4rT7wZ2sD6hG0jK3pX9uN5yB1cE8vR4tW7qA2mS6oI0g==', 'QJ6V4S2XKZ7M3N5P8R1T9W0Y2B4D6F8H', '0b6f3c2e-5a1d-4e7f-8c9b-1a2d3e4f5a6b',
   NULL, 0, 0, NULL, 1, 0),
  ('6e1d4a2f-8b3c-4d9e-0f7a-1b2c3d4e5f60', NULL, 'ops@example.com', 'OPS@EXAMPLE.COM', 'ops@example.com', 'OPS@EXAMPLE.COM', 1,
   'AQAAAAIAAYagAAAAEKa7Fq2Lm9Xc4Vb1Nz8Hs3Dj6Gw0Pt5Ry2Ue7Io9Au4Ie1Ol3Ki6Jh8Mg5Nf2Bd0Cs==', 'Z8Y6X4W2V0U8T6S4R2Q0P8O6N4M2L0K8', '1c7e4d3f-6b2e-4f8a-9d0c-2b3e4f5a6b7c',
   NULL, 0, 0, NULL, 1, 0);
INSERT INTO AspNetUserRoles (UserId, RoleId) VALUES ('6e1d4a2f-8b3c-4d9e-0f7a-1b2c3d4e5f60', 'b1f0c6de-0a55-4c1e-9c57-3a0f3e0c2a11');

-- The leader's lease on periodic maintenance (migration 0005).
INSERT INTO leases (name, holder, expires_at) VALUES ('maintenance', 'node-a:4121', 1750000065000);
