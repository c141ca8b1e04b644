// Vite's client types: CSS imports and import.meta.env in the dashboard's sources.
/// <reference types="vite/client" />
