package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// TestConcurrentLoad runs writers and readers on two Stores sharing one
// file, as two processes would: no call may fail with SQLITE_BUSY.
func TestConcurrentLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trent.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	ctx := t.Context()
	const shared = "shared"
	if err := stores[0].CreateKey(ctx, &store.Key{ID: shared, Description: "0"}); err != nil {
		t.Fatal(err)
	}
	const workers, ops = 8, 30
	var wg sync.WaitGroup
	for w := range workers {
		s := stores[w%2]
		wg.Go(func() { // writer: own key, aliases, and the shared counter
			id := fmt.Sprintf("key-%02d", w)
			check := func(err error) {
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			}
			check(s.CreateKey(ctx, &store.Key{ID: id, State: "Enabled"}))
			for i := range ops {
				_, err := s.UpdateKey(ctx, shared, func(k *store.Key) error {
					n, err := strconv.Atoi(k.Description)
					k.Description = strconv.Itoa(n + 1)
					return err
				})
				check(err)
				check(s.CreateAlias(ctx, store.Alias{Name: fmt.Sprintf("alias/%s-%d", id, i), KeyID: id}))
				_, err = s.InitMeta(ctx, "m", []byte(id))
				check(err)
			}
		})
		wg.Go(func() { // reader
			for range ops * 3 {
				if _, err := s.GetKey(ctx, shared); err != nil {
					t.Errorf("reader %d: GetKey: %v", w, err)
				}
				if _, err := s.ListAliases(ctx, "", "", 50); err != nil {
					t.Errorf("reader %d: ListAliases: %v", w, err)
				}
				if _, err := s.KeysDue(ctx, time.Now(), 10); err != nil {
					t.Errorf("reader %d: KeysDue: %v", w, err)
				}
			}
		})
	}
	wg.Wait()
	for i, s := range stores {
		k, err := s.GetKey(ctx, shared)
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.Itoa(workers * ops); k.Description != want || k.Version != workers*ops+1 {
			t.Errorf("store %d: counter %s at version %d, want %s at %d", i, k.Description, k.Version, want, workers*ops+1)
		}
	}
}

// TestReadDuringWrite checks that reads do not wait for an open write
// transaction, and see the last committed state.
func TestReadDuringWrite(t *testing.T) {
	s := openTemp(t)
	if err := s.CreateKey(t.Context(), &store.Key{ID: "k", Description: "before"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.UpdateKey(t.Context(), "k", func(k *store.Key) error {
		k.Description = "after"
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		got, err := s.GetKey(ctx, "k")
		if err != nil {
			return fmt.Errorf("GetKey during UpdateKey: %w", err)
		}
		if got.Description != "before" || got.Version != 1 {
			return fmt.Errorf("GetKey during UpdateKey saw %q at version %d", got.Description, got.Version)
		}
		if _, err := s.ListKeys(ctx, "", 10); err != nil {
			return fmt.Errorf("ListKeys during UpdateKey: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPanicInUpdate checks that a panicking fn releases the writer.
func TestPanicInUpdate(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	if err := s.CreateKey(ctx, &store.Key{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("UpdateKey swallowed fn's panic")
			}
		}()
		s.UpdateKey(ctx, "k", func(k *store.Key) error {
			k.Description = "half done"
			panic("fn panics")
		})
	}()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	k, err := s.UpdateKey(ctx, "k", func(*store.Key) error { return nil })
	if err != nil {
		t.Fatalf("UpdateKey after a panic: %v", err)
	}
	if k.Description != "" || k.Version != 2 {
		t.Errorf("after a panicking update: %q at version %d, want nothing written", k.Description, k.Version)
	}
}

func TestUpdateKeyRejectsIDChange(t *testing.T) {
	s := openTemp(t)
	if err := s.CreateKey(t.Context(), &store.Key{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.UpdateKey(t.Context(), "k", func(k *store.Key) error { k.ID = "other"; return nil })
	if err == nil {
		t.Fatal("UpdateKey let fn change the ID")
	}
	if _, err := s.GetKey(t.Context(), "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetKey(other) = %v, want ErrNotFound", err)
	}
}

// TestKill9 kills a writing process with SIGKILL and checks that every
// write it acknowledged is in the reopened database.
func TestKill9(t *testing.T) {
	if path := os.Getenv("TRENT_SQLITE_KILL9_DB"); path != "" {
		kill9Child(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "trent.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$")
	cmd.Env = append(os.Environ(), "TRENT_SQLITE_KILL9_DB="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() && acked < 200 {
		if n, err := strconv.Atoi(sc.Text()); err == nil {
			acked = n
		}
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	if acked < 0 {
		t.Fatal("the child acknowledged no write")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i <= acked; i++ {
		if _, err := s.GetKey(t.Context(), fmt.Sprint(i)); err != nil {
			t.Fatalf("acknowledged key %d of %d lost: %v", i, acked, err)
		}
	}
	t.Logf("%d acknowledged writes survived SIGKILL", acked+1)
}

// kill9Child creates keys 0, 1, ... and acknowledges each on stdout, until
// it is killed.
func kill9Child(path string) {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		if err := s.CreateKey(context.Background(), &store.Key{ID: fmt.Sprint(i)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(i)
	}
}
