// Package jsonfields lists the fields of a struct type as encoding/json
// sees them, for jsondec and jsonenc: one copy of its rules.
package jsonfields

import (
	"reflect"
	"strings"
	"unicode"
)

// Field is one field encoding/json decodes and encodes.
type Field struct {
	Name  string // the tag's name when valid, else the field's
	Index int    // in the struct
	// The tag's options.
	OmitEmpty, OmitZero, String bool
}

// Of returns t's fields in field order with encoding/json's rules for a
// struct without embedded fields: exported fields only, the tag's name
// when it is valid, "-" skipped, and among fields of one name the only one
// tagged with it, or none. It reports false for a struct with an embedded
// field, whose promotion rules are left to encoding/json.
func Of(t reflect.Type) ([]Field, bool) {
	type cand struct {
		Field
		tagged bool
	}
	var cands []cand
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTag(name) {
			name = ""
		}
		c := cand{tagged: name != ""}
		if name == "" {
			name = sf.Name
		}
		c.Field = Field{Name: name, Index: i, OmitEmpty: hasOption(opts, "omitempty"), OmitZero: hasOption(opts, "omitzero"), String: hasOption(opts, "string")}
		cands = append(cands, c)
	}
	// Counted by name first: a struct of many fields costs no more than
	// its size.
	type count struct{ same, tagged int }
	counts := make(map[string]count, len(cands))
	for _, c := range cands {
		n := counts[c.Name]
		n.same++
		if c.tagged {
			n.tagged++
		}
		counts[c.Name] = n
	}
	fields := make([]Field, 0, len(cands))
	for _, c := range cands {
		if n := counts[c.Name]; n.same > 1 && !(n.tagged == 1 && c.tagged) {
			continue // a conflict encoding/json drops
		}
		fields = append(fields, c.Field)
	}
	return fields, true
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTag is encoding/json's rule for a tag name it accepts.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
