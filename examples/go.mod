module github.com/apiroutes/apiroutes/examples

go 1.25

require (
	github.com/apiroutes/apiroutes v0.0.0
	github.com/chromedp/chromedp v0.22.1
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/rs/cors v1.11.1 // indirect
	golang.org/x/text v0.22.0 // indirect
)

// The examples always build against the library in this repository, with or
// without the workspace (GOWORK=off).
replace github.com/apiroutes/apiroutes => ../
