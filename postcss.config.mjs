// Tailwind CSS 4 runs as one PostCSS plugin; app/globals.css pulls it in with `@import "tailwindcss"`.
export default {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};
