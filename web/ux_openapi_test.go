package web_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/certs"
	"banhao/hotline"
	"banhao/identity"
	"banhao/queue"
	"banhao/ratings"
	"banhao/web"
)

// jsonFields are the names a type's values carry in JSON, those of embedded structs included.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-":
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			out = append(out, jsonFields(f.Type)...)
		case !f.IsExported():
		case tag != "":
			out = append(out, tag)
		default:
			out = append(out, f.Name)
		}
	}
	return out
}

// TestOpenAPINamesEveryTextForPeople: each field the JSON carries for people to read — a code's
// name (department_name, item_name, staff_name…) or a text (estimated_wait_text) — is in the
// OpenAPI document, on the schema of the object that carries it.
func TestOpenAPINamesEveryTextForPeople(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	var doc map[string]any
	if err := json.NewDecoder(h.do(t, "GET", "/api/v1/openapi.json", web.API, nil, nil, "").Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	// schema finds "Case" or "Case.timeline[]" (the items of an array property).
	schema := func(path string) map[string]any {
		parts := strings.Split(path, ".")
		s, _ := schemas[parts[0]].(map[string]any)
		for _, p := range parts[1:] {
			props, _ := s["properties"].(map[string]any)
			s, _ = props[strings.TrimSuffix(p, "[]")].(map[string]any)
			if strings.HasSuffix(p, "[]") && s != nil {
				s, _ = s["items"].(map[string]any)
			}
			if ref, ok := s["$ref"].(string); ok {
				s, _ = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			}
		}
		return s
	}
	for path, v := range map[string]any{
		"Case": cases.Case{}, "Case.timeline[]": cases.Event{}, "Case.children[]": cases.Child{}, "Case.materials[]": cases.CaseMaterial{},
		"Ticket": queue.Ticket{}, "Appointment": queue.Appointment{}, "Board.services[]": queue.ServiceQueue{}, "RegisteredDevice": queue.RegisteredDevice{},
		"Rating": ratings.Rating{}, "FollowedRating": ratings.FollowedRating{}, "Certificate": certs.Certificate{}, "Access": certs.Access{},
		"HotlineTicket": hotline.Ticket{}, "HotlineTicket.events[]": hotline.Event{}, "User": identity.User{},
	} {
		s := schema(path)
		if s == nil {
			t.Errorf("openapi.json has no schema %s", path)
			continue
		}
		props, _ := s["properties"].(map[string]any)
		for _, name := range jsonFields(reflect.TypeOf(v)) {
			if (strings.HasSuffix(name, "_name") || strings.HasSuffix(name, "_text")) && props[name] == nil {
				t.Errorf("openapi.json: %s lacks %s", path, name)
			}
		}
	}
}
