package main

// The route handlers, one route.Methods per route.ts file of the guide. Each
// reads the request as the App Router does (request.json(), request.formData(),
// searchParams, { params }) and answers with NextResponse.json or
// NextResponse.redirect's twins.

import (
	"io"
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

type handlers struct {
	svc  *Service
	auth *auth
}

// app/api/chat/sessions/route.ts
func (h *handlers) chatSessions() route.Methods {
	return route.Methods{
		// export const GET = withAuth(async (request, user) => {
		//   const type = request.nextUrl.searchParams.get('type')
		//   return NextResponse.json({ sessions: await listSessions(user.id, type) })
		// })
		http.MethodGet: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			sessions, err := h.svc.ListSessions(r.Context(), u.ID, route.SearchParams(r).Get("type"))
			if err != nil {
				return err
			}
			return respond.AppRouterJSON(w, r, http.StatusOK, map[string]any{"sessions": sessions})
		}),
		// export const POST = withAuth(async (request, user) => {
		//   const body = await request.json()
		//   return NextResponse.json(await createSession(user.id, body), { status: 201 })
		// })
		http.MethodPost: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			in, err := bodyparser.Decode[NewSession](r)
			if err != nil {
				return err
			}
			ss, err := h.svc.CreateSession(r.Context(), u.ID, in)
			if err != nil {
				return err
			}
			return respond.AppRouterJSON(w, r, http.StatusCreated, ss)
		}),
		// PATCH /api/chat/sessions?id=… { "title": "…" }
		http.MethodPatch: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			id, err := requiredParam(r, "id")
			if err != nil {
				return err
			}
			in, err := bodyparser.Decode[struct {
				Title string `json:"title"`
			}](r)
			if err != nil {
				return err
			}
			ss, err := h.svc.RenameSession(r.Context(), u.ID, id, in.Title)
			if err != nil {
				return err
			}
			return respond.AppRouterJSON(w, r, http.StatusOK, ss)
		}),
		// DELETE /api/chat/sessions?id=…: return new Response(null, { status: 204 })
		http.MethodDelete: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			id, err := requiredParam(r, "id")
			if err != nil {
				return err
			}
			if err := h.svc.DeleteSession(r.Context(), u.ID, id); err != nil {
				return err
			}
			return respond.Status(w, http.StatusNoContent)
		}),
	}
}

// requiredParam is searchParams.get(name), refused when missing.
func requiredParam(r *http.Request, name string) (string, error) {
	v := route.SearchParams(r).Get(name)
	if v == "" {
		return "", apierror.BadRequest("the " + name + " query parameter is required")
	}
	return v, nil
}

// maxUpload is the largest file an upload takes: the route's SizeLimit
// bounds the whole body, the MultipartConfig the file, and this the bytes
// the handler reads into the database.
const maxUpload = 5 << 20

// app/api/artifacts/route.ts
func (h *handlers) artifacts() route.Methods {
	return route.Methods{
		// export const POST = withAuth(async (request, user) => {
		//   const form = await request.formData()
		//   const file = form.get('file') as File
		//   ...
		// })
		http.MethodPost: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			form := bodyparser.Multipart(r)
			if form == nil {
				return apierror.New(http.StatusUnsupportedMediaType, "send the file as multipart/form-data")
			}
			f := form.File("file")
			if f == nil {
				return apierror.BadRequest("the form has no file field")
			}
			rd, err := f.Open()
			if err != nil {
				return err
			}
			defer rd.Close()
			data, err := io.ReadAll(io.LimitReader(rd, maxUpload+1))
			if err != nil {
				return err
			}
			if len(data) > maxUpload {
				return apierror.New(http.StatusRequestEntityTooLarge, "the file is larger than 5mb")
			}
			a, err := h.svc.Upload(r.Context(), u.ID, form.Get("sessionId"), f.Filename, f.ContentType, data)
			if err != nil {
				return err
			}
			w.Header().Set("Location", "/api/artifacts/"+a.ID)
			return respond.AppRouterJSON(w, r, http.StatusCreated, a)
		}),
	}
}

// app/api/artifacts/[id]/route.ts
func (h *handlers) artifact() route.Methods {
	return route.Methods{
		// export const GET = withAuth(async (request, user, { params }) => ...):
		// the metadata as JSON, or the file itself with ?download=1.
		http.MethodGet: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			download := route.SearchParams(r).Get("download") == "1"
			a, err := h.svc.Artifact(r.Context(), u.ID, r.PathValue("id"), download)
			if err != nil {
				return err
			}
			if !download {
				return respond.AppRouterJSON(w, r, http.StatusOK, a)
			}
			// The stored type is the client's: never let a browser render it
			// as a page of this origin.
			w.Header().Set("Content-Type", a.ContentType)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Content-Disposition", `attachment; filename="download"`)
			return respond.Send(w, r, http.StatusOK, a.Data)
		}),
		http.MethodDelete: h.auth.withAuth(func(w http.ResponseWriter, r *http.Request, u User) error {
			if err := h.svc.DeleteArtifact(r.Context(), u.ID, r.PathValue("id")); err != nil {
				return err
			}
			return respond.Status(w, http.StatusNoContent)
		}),
	}
}

// app/api/auth/callback/route.ts: the identity provider posts the one-time
// code (OAuth's form_post), and the handler redirects like
//
//	return NextResponse.redirect(new URL('/login?error=auth_failed', request.url))
func (h *handlers) authCallback() route.Methods {
	return route.Methods{
		http.MethodPost: apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			code := bodyparser.Form(r).Get("code")
			if code == "" {
				code = route.SearchParams(r).Get("code")
			}
			id, ok := h.auth.exchange(code)
			if !ok {
				return respond.AppRouterRedirect(w, r, http.StatusSeeOther, "/login?error=auth_failed")
			}
			if err := cookies.Set(w, r, sessionCookie, id, cookies.Options{MaxAge: sessionTTL, Secure: true}); err != nil {
				return err
			}
			return respond.AppRouterRedirect(w, r, http.StatusSeeOther, "/")
		}),
	}
}

// app/api/auth/logout/route.ts: ends the session on the server.
func (h *handlers) logout() route.Methods {
	return route.Methods{
		http.MethodPost: apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			h.auth.logout(r)
			if err := cookies.Delete(w, r, sessionCookie, cookies.Options{Secure: true}); err != nil {
				return err
			}
			return respond.Status(w, http.StatusNoContent)
		}),
	}
}
