import type { Metadata } from "next";
import { Providers } from "@/components/providers";
import { THEME_SCRIPT } from "@/components/shell/theme-toggle";
import "./globals.css";

export const metadata: Metadata = {
  title: "Pitwall",
  description: "Speed and cost control room for AI agents",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
