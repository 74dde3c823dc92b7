// Package store is the control plane's database: a bbolt file with one bucket per kind of record (projects, tasks,
// workflows, launch plans, executions, node and task executions, ...). Values are serialized protobuf messages;
// keys are the record's identifier fields joined with "/" (see Key). Every write is a bbolt transaction, synced to
// disk, so state survives a restart of the control plane.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"
)

// ErrExists is returned by Create when the key is taken.
var ErrExists = errors.New("record exists")

// DB is the control plane's database.
type DB struct{ bolt *bolt.DB }

// Open opens (or creates) the database file at path.
func Open(path string) (*DB, error) {
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w (is another control plane running on it?)", path, err)
	}
	return &DB{bolt: b}, nil
}

// Close closes the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Key joins identifier parts with "/". Parts must not contain "/" (Flyte's identifiers do not).
func Key(parts ...string) string { return strings.Join(parts, "/") }

// Get reads bucket/key into m; false when absent.
func (db *DB) Get(bucket, key string, m proto.Message) (bool, error) {
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		found = true
		return proto.Unmarshal(v, m)
	})
	return found, err
}

// Put writes m at bucket/key, replacing what was there.
func (db *DB) Put(bucket, key string, m proto.Message) error {
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	})
}

// Create writes m at bucket/key only if the key is free; otherwise it returns ErrExists and reads the existing
// record into existing (when existing is not nil), in the same transaction.
func (db *DB) Create(bucket, key string, m proto.Message, existing proto.Message) error {
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		if old := b.Get([]byte(key)); old != nil {
			if existing != nil {
				if err := proto.Unmarshal(old, existing); err != nil {
					return err
				}
			}
			return ErrExists
		}
		return b.Put([]byte(key), v)
	})
}

// Update reads bucket/key into m (found says whether it was there; m is left empty when not), calls fn, and writes
// m back if fn returns nil, all in one transaction. fn returning an error aborts the update and Update returns it.
func (db *DB) Update(bucket, key string, m proto.Message, fn func(found bool) error) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		old := b.Get([]byte(key))
		proto.Reset(m)
		if old != nil {
			if err := proto.Unmarshal(old, m); err != nil {
				return err
			}
		}
		if err := fn(old != nil); err != nil {
			return err
		}
		v, err := proto.Marshal(m)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	})
}

// Delete removes bucket/key (no error if absent).
func (db *DB) Delete(bucket, key string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(key))
	})
}

// Scan calls fn for every record of bucket whose key starts with prefix, in key order. newMsg makes the message to
// unmarshal each value into. fn returning false stops the scan.
func Scan[M proto.Message](db *DB, bucket, prefix string, newMsg func() M, fn func(key string, m M) bool) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			m := newMsg()
			if err := proto.Unmarshal(v, m); err != nil {
				return fmt.Errorf("store: %s/%s: %w", bucket, k, err)
			}
			if !fn(string(k), m) {
				return nil
			}
		}
		return nil
	})
}

// List returns every record of bucket whose key starts with prefix, in key order.
func List[M proto.Message](db *DB, bucket, prefix string, newMsg func() M) ([]M, error) {
	var out []M
	err := Scan(db, bucket, prefix, newMsg, func(_ string, m M) bool {
		out = append(out, m)
		return true
	})
	return out, err
}
