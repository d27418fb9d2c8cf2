/** The home page: what the playground is, and the live status of the server behind it. */
import Link from 'next/link';
import { StatusPanel } from './components/StatusPanel';
import { MENU, ROOMS } from './rooms';

const facts = [
  {
    title: 'The data',
    text: 'Fashion-MNIST: 70,000 grayscale 28×28 pictures of clothes in ten classes, from T-shirts to ankle boots.',
  },
  {
    title: 'The model',
    text: 'A small convolutional network, trained and run with TensorFlow.js on the server, on its fastest backend available here.',
  },
  {
    title: 'Live',
    text: 'This page and the server talk over Socket.IO, so what the server knows shows up here as it happens.',
  },
];

export default function HomePage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-10 sm:px-6 sm:pt-16">
      <section className="max-w-3xl">
        <p className="mb-3 text-sm font-medium text-indigo-300">A machine-learning playground</p>
        <h1 className="text-3xl font-semibold tracking-tight text-zinc-50 sm:text-5xl">
          Teach a computer to tell a sneaker from a sandal.
        </h1>
        <p className="mt-5 text-base leading-relaxed text-zinc-400 sm:text-lg">
          The Fashion-MNIST Playground trains a neural network to recognise clothing in small pictures and shows how
          well it does. Everything runs on this server: no cloud, no GPU needed.
        </p>
        <Link
          href={ROOMS.sessions.href}
          className="mt-6 inline-block rounded-lg bg-indigo-500 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-400"
        >
          {ROOMS.sessions.title}, live →
        </Link>
      </section>

      <section aria-label="Rooms" className="mt-10">
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {MENU.map((room) => (
            <li key={room.href} className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4">
              <h2 className="text-sm font-semibold">
                <Link href={room.href} className="text-indigo-300 hover:underline">
                  {room.title}
                </Link>
              </h2>
              <p className="mt-1 text-sm leading-relaxed text-zinc-400">{room.intro}</p>
            </li>
          ))}
        </ul>
      </section>

      <ul className="mt-10 grid gap-4 sm:grid-cols-3">
        {facts.map((f) => (
          <li key={f.title} className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4">
            <h2 className="text-sm font-semibold text-zinc-200">{f.title}</h2>
            <p className="mt-1 text-sm leading-relaxed text-zinc-400">{f.text}</p>
          </li>
        ))}
      </ul>

      <div className="mt-12">
        <StatusPanel />
      </div>
    </main>
  );
}
