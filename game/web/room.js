// The workshop room's page comes back by itself when its connection drops (a
// venue's Wi-Fi, a laptop's lid): after a short wait it asks the room whether
// it answers again, and reloads, which takes the player back to where they were
// (their cookie names them; their Koers saved as the connection ended). The
// tries are bounded; after the last one the page's own "Reconnect" remains.
// It wraps the WebSocket that textual.js opens, to know how it closed: a
// connection that the same player opened again elsewhere (code 4000) stays closed,
// or two tabs of one player would take it from each other without end.
(() => {
  "use strict";
  const REPLACED = 4000;
  const DELAYS = [0.5, 1, 2, 4, 8, 8, 8, 8];  // seconds before each try: about 40 s in all
  const STEADY = 5000;  // a connection open this long starts the tries afresh
  const KEY = "koers-reconnect-tries";  // kept over the reloads of this tab
  const tries = () => Number(sessionStorage.getItem(KEY) || 0);
  const say = (text) => {
    const note = document.getElementById("reconnect");
    if (note) note.textContent = text;
  };
  const again = async () => {
    const n = tries();
    if (n >= DELAYS.length) {
      say("Het lukt niet om opnieuw te verbinden. · Could not reconnect.");
      return;
    }
    sessionStorage.setItem(KEY, String(n + 1));
    say("Opnieuw verbinden… · Reconnecting…");
    await new Promise((done) => setTimeout(done, DELAYS[n] * 1000));
    try {
      const answer = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
      if (answer.ok) {
        location.reload();
        return;
      }
    } catch (error) {
      // no answer yet: try again after the next wait
    }
    again();
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      let steady = 0;
      this.addEventListener("open", () => {
        steady = setTimeout(() => sessionStorage.removeItem(KEY), STEADY);
      });
      this.addEventListener("close", (event) => {
        clearTimeout(steady);
        if (event.code === REPLACED) {
          say("Je speelt verder in een ander tabblad. · You are playing on in another tab.");
        } else {
          again();
        }
      });
    }
  };
})();
