package cases

import "banhao/catalog"

// sameMaterial is the key under which the materials of a bundle's items are the same one: a
// material several items ask for under the same name is supplied once and shared by their cases.
func sameMaterial(m catalog.Material) string { return m.Name }

// SharedWith is the rule of a bundle's merged form (window and online): for each item (by code)
// and each material it asks for (by id), the name of the earlier item of items that already asks
// for a material of the same name, which is supplied once there. A material that is asked first,
// and a material from shared data (never asked), are not in the map.
func SharedWith(items []catalog.Item) map[string]map[string]string {
	askedBy := map[string]string{} // same material → the item that asks for it first
	out := map[string]map[string]string{}
	for _, it := range items {
		for _, m := range it.Materials {
			if m.Source == catalog.SourceShared {
				continue
			}
			first, seen := askedBy[sameMaterial(m)]
			if !seen {
				askedBy[sameMaterial(m)] = it.Name
				continue
			}
			if out[it.Code] == nil {
				out[it.Code] = map[string]string{}
			}
			out[it.Code][m.ID] = first
		}
	}
	return out
}
