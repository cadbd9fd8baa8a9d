/** The crop catalogue and the districts (`GET /catalogue`, public, cached for offline use): crop
 * names in the user's language, and the choices of the crop and district pickers. */
import { signal } from "@preact/signals";
import { api } from "./api";
import { lang } from "./i18n";
import { save, saved } from "./offline";

export interface CatalogueCrop {
  id: string;
  name: string;
  luganda: string;
  category: string;
}

export interface CatalogueDistrict {
  name: string;
  /** The district's main town, about 0.01 degree. */
  lat: number;
  lon: number;
}

export interface Catalogue {
  crops: CatalogueCrop[];
  districts: CatalogueDistrict[];
}

export const catalogue = signal<Catalogue | null>(null);

export async function loadCatalogue(): Promise<Catalogue | null> {
  try {
    const value = await api.get<Catalogue>("/catalogue", { auth: false });
    save("catalogue", value);
    catalogue.value = value;
  } catch {
    catalogue.value = saved<Catalogue>("catalogue")?.value ?? catalogue.value;
  }
  return catalogue.value;
}

/** "Maize (grain)" or "Kasooli"; an unknown id is shown as given, underscores as spaces. */
export function cropName(id: string | null | undefined): string {
  if (!id) return "–";
  const crop = catalogue.value?.crops.find((c) => c.id === id);
  if (!crop) return id.replace(/_/g, " ");
  return lang.value === "lg" ? crop.luganda : crop.name;
}
