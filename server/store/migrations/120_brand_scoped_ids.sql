-- Store and device ids are scoped per brand (issue 12): brand B may register store "paris-1" although
-- brand A has one, and nothing the relay answers tells B that A's exists. A device still signs with its
-- bare id (X-Device-Id): the relay verifies the signature against the key of each device holding that id
-- (one per brand at most) and takes the one it verifies with; (id, public_key) stays unique across
-- brands so that a signature can never match two devices.
ALTER TABLE relay_devices DROP CONSTRAINT IF EXISTS relay_devices_store_id_fkey;
ALTER TABLE relay_stores DROP CONSTRAINT IF EXISTS relay_stores_pkey;
ALTER TABLE relay_stores ADD CONSTRAINT relay_stores_pkey PRIMARY KEY (brand, id);
DROP INDEX IF EXISTS relay_stores_brand;
ALTER TABLE relay_devices DROP CONSTRAINT IF EXISTS relay_devices_pkey;
ALTER TABLE relay_devices ADD CONSTRAINT relay_devices_pkey PRIMARY KEY (brand, id);
ALTER TABLE relay_devices ADD CONSTRAINT relay_devices_store_fkey FOREIGN KEY (brand, store_id) REFERENCES relay_stores (brand, id);
DROP INDEX IF EXISTS relay_devices_store;
CREATE INDEX IF NOT EXISTS relay_devices_store ON relay_devices (brand, store_id);
CREATE UNIQUE INDEX IF NOT EXISTS relay_devices_id_key ON relay_devices (id, public_key);
