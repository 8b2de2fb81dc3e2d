package jsonscan

import (
	"encoding/json"
	"testing"
)

// BenchmarkPlainRun scans the strings of a typical API object, most of
// them short (keys, ids, enums), a few sentences.
func BenchmarkPlainRun(b *testing.B) {
	var strs [][]byte
	for _, s := range []string{"id", "ord_01HZX3K9Q2V7", "status", "pending", "priority", "paid", "createdAt", "2025-03-14T09:26:53Z",
		"customer", "name", "Zoë Lefèvre", "email", "zoe.lefevre@example.com", "country", "FR", "tags", "web", "gift", "express",
		"lines", "sku", "SKU-000001", "description", "Ceramic pour-over dripper", "quantity", "unitCents", "taxable", "totalCents",
		"note", "Leave it at the door, please, thanks!", "Follow up with the team and close the loop before the end of the sprint."} {
		q, _ := json.Marshal(s)
		strs = append(strs, q[1:]) // from after the opening quote, to the closing one
	}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	for range b.N {
		for _, s := range strs {
			PlainRun(s, 0)
		}
	}
}

// BenchmarkPlainRunLong scans one long string: a paragraph of text.
func BenchmarkPlainRunLong(b *testing.B) {
	s := make([]byte, 0, 4096)
	for len(s) < 4000 {
		s = append(s, "Follow up with the team and close the loop before the end of the sprint. "...)
	}
	s = append(s, '"')
	b.SetBytes(int64(len(s)))
	for range b.N {
		PlainRun(s, 0)
	}
}
