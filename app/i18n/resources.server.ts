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
import enAdvice from "../../public/locales/en/advice.json";
import esAdvice from "../../public/locales/es/advice.json";
import enOps from "../../public/locales/en/ops.json";
import enFeedback from "../../public/locales/en/feedback.json";
import esFeedback from "../../public/locales/es/feedback.json";
import esOps from "../../public/locales/es/ops.json";
import enOpsImport from "../../public/locales/en/ops-import.json";
import esOpsImport from "../../public/locales/es/ops-import.json";
import enOpsPlan from "../../public/locales/en/ops-plan.json";
import esOpsPlan from "../../public/locales/es/ops-plan.json";
import enOffer from "../../public/locales/en/offer.json";
import esOffer from "../../public/locales/es/offer.json";
import enOpsRequests from "../../public/locales/en/ops-requests.json";
import esOpsRequests from "../../public/locales/es/ops-requests.json";
import enPreferences from "../../public/locales/en/preferences.json";
import esPreferences from "../../public/locales/es/preferences.json";
import enReminders from "../../public/locales/en/reminders.json";
import esReminders from "../../public/locales/es/reminders.json";

export const resources = {
  en: { common: enCommon, home: enHome, email: enEmail, dev: enDev, access: enAccess, account: enAccount, plan: enPlan, pay: enPay, dispute: enDispute, hardship: enHardship, advice: enAdvice, ops: enOps, "ops-import": enOpsImport, "ops-plan": enOpsPlan, offer: enOffer, "ops-requests": enOpsRequests, feedback: enFeedback, reminders: enReminders, preferences: enPreferences },
  es: { common: esCommon, home: esHome, email: esEmail, dev: esDev, access: esAccess, account: esAccount, plan: esPlan, pay: esPay, dispute: esDispute, hardship: esHardship, advice: esAdvice, ops: esOps, "ops-import": esOpsImport, "ops-plan": esOpsPlan, offer: esOffer, "ops-requests": esOpsRequests, feedback: esFeedback, reminders: esReminders, preferences: esPreferences },
} as const;

export const namespaces = Object.keys(resources.en) as Array<keyof (typeof resources)["en"]>;
