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
//
// Where encoding/json is implemented on encoding/json/v2 (Go 1.27 on),
// it parses tags with v2's rules, which accept names v1 refuses, add
// options (inline, unknown, format, case...) and refuse tags on unexported
// fields; Of then also reports false for a struct whose tags v1 and v2
// might read apart: a tag name v1 refuses, an option other than
// omitempty, omitzero and string, a tag on an unexported field. (Fields of
// one name, and keys matched case-insensitively, are resolved alike by
// both with v1's options: exact name first, then the first field in order
// whose name is equal under Unicode simple folding.)
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
		tag, tagged := sf.Tag.Lookup("json")
		if !sf.IsExported() {
			if OnV2 && tagged && tag != "-" {
				return nil, false
			}
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTag(name) {
			if OnV2 && name != "" {
				return nil, false
			}
			name = ""
		}
		if OnV2 && !plainOptions(opts) {
			return nil, false
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

// HasV2Method reports whether t or *t has encoding/json/v2's method name
// (UnmarshalJSONFrom or MarshalJSONTo) taking a *jsontext.param (Decoder
// or Encoder) and returning an error. encoding/json on v2 calls it before
// any other method, so jsondec and jsonenc leave such types to it. It is
// looked up by name and signature, not through the interface, which a
// module whose go.mod says go 1.23 may not name; on v1 it is false.
func HasV2Method(t reflect.Type, name, param string) bool {
	if !OnV2 || t.Kind() == reflect.Interface {
		return false // an interface: the dynamic value's type decides
	}
	m, ok := t.MethodByName(name)
	if !ok {
		m, ok = reflect.PointerTo(t).MethodByName(name)
	}
	if !ok {
		return false
	}
	ft := m.Type // with the receiver
	return ft.NumIn() == 2 && ft.NumOut() == 1 &&
		ft.In(1).Kind() == reflect.Pointer && ft.In(1).Elem().PkgPath() == "encoding/json/jsontext" &&
		ft.In(1).Elem().Name() == param && ft.Out(0) == reflect.TypeFor[error]()
}

// plainOptions reports whether opts holds only options v1 and v2 read
// alike.
func plainOptions(opts string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		switch o {
		case "omitempty", "omitzero", "string":
		default:
			return false
		}
	}
	return true
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
