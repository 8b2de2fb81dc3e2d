package watch

import (
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
)

func TestResetHeaderRestoresTheHeaderOfTheLastWrap(t *testing.T) {
	for _, outer := range []int{0, 1, markCap, markCap + 3} { // inline and copied marks
		t.Run(strconv.Itoa(outer)+" outer fields", func(t *testing.T) {
			rec := httptest.NewRecorder()
			h := rec.Header()
			h.Set("Vary", "Origin")
			for i := 1; i < outer; i++ {
				h.Set("X-Outer-"+strconv.Itoa(i), "o")
			}
			if outer == 0 {
				h.Del("Vary")
			}
			want := h.Clone()

			w, st := Wrap(rec)
			w.Header().Set("X-Between", "b") // a layer between two of ours
			want.Set("X-Between", "b")
			w2, st2 := Wrap(w) // the innermost layer: marks again
			if st2 != st || w2 != w {
				t.Fatal("Wrap of a watcher made another one")
			}
			hh := w2.Header()
			hh.Add("Set-Cookie", "s=1")
			hh.Set("Cache-Control", "public")
			hh.Add("Vary", "Accept-Encoding") // appended to the outer slice
			hh.Set("X-Between", "changed")
			hh.Del("X-Outer-1")
			st.ResetHeader()
			if got := rec.Header(); !reflect.DeepEqual(got, want) {
				t.Errorf("after ResetHeader:\n\t%v\nwant\n\t%v", got, want)
			}
		})
	}
}

func TestWrapMarksTheHeaderWithoutAllocatingAgain(t *testing.T) {
	rec := httptest.NewRecorder()
	for _, k := range []string{"Vary", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "X-Request-Id"} {
		rec.Header().Set(k, "v")
	}
	w, _ := Wrap(rec)
	if n := testing.AllocsPerRun(100, func() { _, _ = Wrap(w) }); n != 0 {
		t.Errorf("marking four header fields again allocates %v times", n)
	}
	// Without outer headers, the first Wrap allocates the Writer only.
	empty := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { _, _ = Wrap(empty) }); n != 1 {
		t.Errorf("Wrap of a writer without headers allocates %v times, want 1 (the Writer)", n)
	}
}
