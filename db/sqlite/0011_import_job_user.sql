-- An import job runs with the rights of the user who submitted it (their roles and site), so the job records who
-- that is by id: a name can be reused after an account is deleted, an id cannot. NULL for jobs queued before this
-- migration, which are matched by name when they run.
ALTER TABLE import_job ADD COLUMN created_by_user_id INTEGER NULL REFERENCES app_user (id);
