package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// Order is the 1 KiB JSON body of the json-* cases: the same shape as the
// BodyParserJSON benchmarks' (strings, numbers, a bool, a time, a nested
// object, a list of small objects), so that the two measure the same work.
type Order struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Priority   int         `json:"priority"`
	Paid       bool        `json:"paid"`
	CreatedAt  time.Time   `json:"createdAt"`
	Customer   Customer    `json:"customer"`
	Tags       []string    `json:"tags"`
	Lines      []OrderLine `json:"lines"`
	TotalCents int64       `json:"totalCents"`
	Note       string      `json:"note"`
}

// Customer is the nested object of an Order.
type Customer struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Country string `json:"country"`
}

// OrderLine is one element of an Order's list.
type OrderLine struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitCents   int64  `json:"unitCents"`
	Taxable     bool   `json:"taxable"`
}

var products = []string{"Espresso beans, 1kg", "Ceramic pour-over dripper", "Paper filters (100)", "Burr grinder", "Milk frother", "Gooseneck kettle"}

func newOrder(lines int) Order {
	o := Order{
		ID:        "ord_01HZX3K9Q2V7",
		Status:    "pending",
		Priority:  2,
		Paid:      true,
		CreatedAt: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
		Customer:  Customer{ID: 48213, Name: "Zoë Lefèvre", Email: "zoe.lefevre@example.com", Country: "FR"},
		Tags:      []string{"web", "gift", "express"},
		Note:      "Leave it at the door, \"please\" — thanks!",
	}
	for i := range lines {
		l := OrderLine{
			SKU:         fmt.Sprintf("SKU-%06d", i),
			Description: products[i%len(products)],
			Quantity:    1 + i%5,
			UnitCents:   199 + int64(i*7919%50000),
			Taxable:     i%3 != 0,
		}
		o.Lines = append(o.Lines, l)
		o.TotalCents += int64(l.Quantity) * l.UnitCents
	}
	return o
}

// orderPayload returns the encoding of the order with the most lines that
// fits in size bytes (922 bytes for 1 KiB).
func orderPayload(size int) []byte {
	enc := func(lines int) []byte {
		b, err := json.Marshal(newOrder(lines))
		if err != nil {
			panic(err)
		}
		return b
	}
	// The encoding grows with the lines: find the most that fit by
	// doubling, then bisecting.
	lo, hi := 0, 1
	for len(enc(hi)) <= size {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; len(enc(mid)) <= size {
			lo = mid
		} else {
			hi = mid
		}
	}
	return enc(lo)
}

// payload1KiB is the body POSTed to the json-* servers by default.
var payload1KiB = orderPayload(1 << 10)

// payloadOf returns the order payload of at most size bytes (1 KiB for 0).
func payloadOf(size int) []byte {
	if size <= 0 || size == 1<<10 {
		return payload1KiB
	}
	return orderPayload(size)
}
