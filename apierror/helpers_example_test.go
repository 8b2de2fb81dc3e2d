package apierror_test

import (
	"encoding/json"
	"strings"
)

func jsonDecode(s string, v any) error {
	return json.NewDecoder(strings.NewReader(s)).Decode(v)
}
