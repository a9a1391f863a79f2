// Asks the API what the view at this URL will show while the rest of the dashboard's modules
// load (this module needs few of them): the page then finds its answers on the way already.
import { readState } from "./lib/state.js";
import { QUESTIONS } from "./pages/questions.js";
import { prefetch } from "./lib/api.js";

const state = readState();
const questions = QUESTIONS[state.path];
if (questions && state.key !== null) {
  try {
    for (const [endpoint, params] of Object.values(questions(state))) prefetch(endpoint, params);
  } catch {
    // A view the API would refuse: the page itself says why.
  }
}
