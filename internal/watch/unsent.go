package watch

// CountUnsent adds n body bytes that a helper chose not to write, such as
// the body of a HEAD response, to [Writer.Written]: Next counts the bytes
// it would have sent for a HEAD request when it checks the response limit,
// so the helpers that skip them must say so. OnWrite is not consulted:
// nothing is written, so there is nothing to refuse.
func (w *Writer) CountUnsent(n int64) { w.written += n }
