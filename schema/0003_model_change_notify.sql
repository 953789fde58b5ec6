-- Change notifications for the in-memory model caches of every modelregd sharing this database
-- (server/storage/model_cache.h). Each committed UPDATE or DELETE of a model sends its name on the channel
-- `modelreg_model_changes`; PostgreSQL delivers it to listeners at commit, and drops it on rollback. Inserts need no
-- notification: caches never hold a name that does not exist.
CREATE FUNCTION modelreg_notify_model_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('modelreg_model_changes', OLD.name);
  RETURN NULL;
END;
$$;

CREATE TRIGGER models_notify_change AFTER UPDATE OR DELETE ON models
  FOR EACH ROW EXECUTE FUNCTION modelreg_notify_model_change();
