package com.example;

public class Application {
    public static void main(String[] args) {}
}
