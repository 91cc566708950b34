/**
 * Every translation, bundled into the server. The browser never receives this object:
 * it gets only the namespaces of the routes it shows (inlined at render, fetched from
 * /locales/<lng>/<ns>.json after a navigation). Add a namespace here when you add its files.
 */
import enCommon from "../../public/locales/en/common.json";
import esCommon from "../../public/locales/es/common.json";
import enHome from "../../public/locales/en/home.json";
import esHome from "../../public/locales/es/home.json";
import enEmail from "../../public/locales/en/email.json";
import esEmail from "../../public/locales/es/email.json";
import enDev from "../../public/locales/en/dev.json";
import esDev from "../../public/locales/es/dev.json";
import enAccess from "../../public/locales/en/access.json";
import esAccess from "../../public/locales/es/access.json";
import enAccount from "../../public/locales/en/account.json";
import esAccount from "../../public/locales/es/account.json";
import enPlan from "../../public/locales/en/plan.json";
import esPlan from "../../public/locales/es/plan.json";
import enPay from "../../public/locales/en/pay.json";
import esPay from "../../public/locales/es/pay.json";
import enDispute from "../../public/locales/en/dispute.json";
import esDispute from "../../public/locales/es/dispute.json";
import enHardship from "../../public/locales/en/hardship.json";
import esHardship from "../../public/locales/es/hardship.json";

export const resources = {
  en: { common: enCommon, home: enHome, email: enEmail, dev: enDev, access: enAccess, account: enAccount, plan: enPlan, pay: enPay, dispute: enDispute, hardship: enHardship },
  es: { common: esCommon, home: esHome, email: esEmail, dev: esDev, access: esAccess, account: esAccount, plan: esPlan, pay: esPay, dispute: esDispute, hardship: esHardship },
} as const;

export const namespaces = Object.keys(resources.en) as Array<keyof (typeof resources)["en"]>;
