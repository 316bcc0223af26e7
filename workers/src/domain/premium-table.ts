/**
 * Base annual premiums by vehicle class, in pence (integer arithmetic: money is never a float
 * until it leaves as a process variable). The risk decision's premiumFactor scales the base.
 * Classes are looked up by make + model first, then by make, then fall back to "family".
 */
export const BASE_PREMIUM_PENCE = {
  city: 42_000,
  family: 56_000,
  executive: 78_000,
  suv: 84_000,
  performance: 125_000,
  luxury: 160_000,
} as const;

export type VehicleClass = keyof typeof BASE_PREMIUM_PENCE;

const BY_MODEL: Record<string, VehicleClass> = {
  "bmw x5": "suv",
  "bmw x3": "suv",
  "bmw m3": "performance",
  "bmw m5": "performance",
  "audi q7": "suv",
  "audi r8": "performance",
  "audi rs6": "performance",
  "volvo xc90": "suv",
  "ford fiesta": "city",
  "ford focus": "family",
  "ford mustang": "performance",
  "fiat 500": "city",
  "volkswagen up": "city",
  "vw up": "city",
  "volkswagen golf": "family",
  "vw golf": "family",
  "toyota aygo": "city",
  "toyota yaris": "city",
  "toyota rav4": "suv",
  "renault clio": "city",
  "nissan qashqai": "suv",
  "kia picanto": "city",
  "hyundai i10": "city",
};

const BY_MAKE: Record<string, VehicleClass> = {
  porsche: "performance",
  ferrari: "luxury",
  lamborghini: "luxury",
  "aston martin": "luxury",
  bentley: "luxury",
  "rolls-royce": "luxury",
  maserati: "luxury",
  bmw: "executive",
  audi: "executive",
  "mercedes-benz": "executive",
  mercedes: "executive",
  jaguar: "executive",
  lexus: "executive",
  tesla: "executive",
  "land rover": "suv",
  "range rover": "suv",
  mini: "city",
  smart: "city",
};

function key(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

export function vehicleClass(make: string, model: string): VehicleClass {
  return BY_MODEL[`${key(make)} ${key(model)}`] ?? BY_MAKE[key(make)] ?? "family";
}

/** Base premium × factor, rounded half away from zero to the nearest penny. */
export function premiumPence(vehicle: VehicleClass, premiumFactor: number): number {
  return Math.round(BASE_PREMIUM_PENCE[vehicle] * premiumFactor);
}
