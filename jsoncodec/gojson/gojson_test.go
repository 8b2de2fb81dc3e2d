package gojson_test

import (
	"testing"

	"github.com/apiroutes/apiroutes/jsoncodec/codectest"
	"github.com/apiroutes/apiroutes/jsoncodec/gojson"
)

func TestCodecMeetsTheContract(t *testing.T) {
	t.Parallel()
	codectest.Run(t, gojson.Codec{})
}
