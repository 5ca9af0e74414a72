-- Version 9: the generation spec (model, size, fps, duration, audio, seed, prompt, web search,
-- content check) resolved once at create, as JSON; the worker and engines read it instead of
-- validating the input again. Tasks stored before have NULL and are read from their input
-- column (Reelgate.Core.Catalog.StoredInput).
ALTER TABLE tasks ADD COLUMN spec TEXT;
