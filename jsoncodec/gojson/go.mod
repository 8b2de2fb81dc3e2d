module github.com/apiroutes/apiroutes/jsoncodec/gojson

go 1.25.0

require (
	github.com/apiroutes/apiroutes v0.0.0
	github.com/goccy/go-json v0.12.0
)

replace github.com/apiroutes/apiroutes => ../..
