package iam

import (
	"strings"
	"testing"
)

func TestMarkers(t *testing.T) {
	m := encodeMarker("users", "bob")
	if got, err := decodeMarker("users", m); err != nil || got != "bob" {
		t.Fatalf("decodeMarker = %q, %v", got, err)
	}
	for _, bad := range []string{encodeMarker("keys", "bob"), "not base64!", "Ym9i"} {
		if _, err := decodeMarker("users", bad); err == nil || KindOf(err) != ValidationError {
			t.Errorf("decodeMarker(%q) = %v, want ValidationError", bad, err)
		}
	}
}

func TestPaginate(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var got []string
	marker, pages := "", 0
	for {
		pg, err := paginate("test", items, id, marker, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pg.Items...)
		pages++
		if !pg.Truncated {
			if pg.Marker != "" {
				t.Fatal("a last page with a marker")
			}
			break
		}
		marker = pg.Marker
	}
	if strings.Join(got, "") != "abcde" || pages != 3 {
		t.Fatalf("pages gave %v in %d pages", got, pages)
	}
	// A marker past an item deleted since still resumes in order.
	pg, err := paginate("test", []string{"a", "d"}, id, encodeMarker("test", "b"), 10)
	if err != nil || len(pg.Items) != 1 || pg.Items[0] != "d" {
		t.Fatalf("resume after a deleted item = %+v, %v", pg, err)
	}
}
