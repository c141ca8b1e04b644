// The dashboard's entry: mounts the app into #app. Nothing else runs at load.
import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";
import "./controls.css";

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
