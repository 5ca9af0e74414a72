-- Version 2: a poster JPEG stored beside each successful result.
ALTER TABLE tasks ADD COLUMN thumbnail_key TEXT;
