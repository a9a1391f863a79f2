// The API keys, asked once and shared by every control that lists them; the Keys page tells
// when they changed.
import { get } from "./api.js";

let asked = null;
const listeners = new Set();

export function keys() {
  asked ||= get("keys", {}).then(
    (answer) => answer.keys,
    (error) => {
      asked = null;
      throw error;
    },
  );
  return asked;
}

export function keysChanged() {
  asked = null;
  for (const listener of listeners) listener();
}

export function onKeysChanged(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
