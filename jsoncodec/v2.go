//go:build goexperiment.jsonv2

package jsoncodec

const onV2 = true
